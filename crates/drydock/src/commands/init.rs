//! `init`: a new project in the current folder, like `prisma init`, plus a first model so that
//! `migrate dev` has something to create.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

const SCHEMA_PATH: &str = "prisma/schema.prisma";

pub(crate) fn init(provider: &str, url: Option<&str>) -> anyhow::Result<ExitCode> {
    let default_url = match provider {
        "sqlite" => "file:./dev.db",
        "postgresql" | "postgres" => "postgresql://postgres@localhost:5432/mydb?schema=public",
        other => {
            anyhow::bail!("unknown datasource provider `{other}`; use `sqlite` or `postgresql`")
        }
    };
    if Path::new(SCHEMA_PATH).exists() {
        anyhow::bail!("`{SCHEMA_PATH}` already exists; drydock init does not overwrite a project");
    }
    std::fs::create_dir_all("prisma").context("can't create the `prisma` folder")?;
    std::fs::write(SCHEMA_PATH, schema_text(provider))
        .with_context(|| format!("can't write `{SCHEMA_PATH}`"))?;
    let env_line = format!("DATABASE_URL=\"{}\"\n", url.unwrap_or(default_url));
    let env_path = Path::new(".env");
    let existing_env = std::fs::read_to_string(env_path).unwrap_or_default();
    if existing_env
        .lines()
        .any(|l| l.trim_start().starts_with("DATABASE_URL"))
    {
        println!("`.env` already sets DATABASE_URL; left as it is.");
    } else {
        let separator = if existing_env.is_empty() || existing_env.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        std::fs::write(env_path, format!("{existing_env}{separator}{env_line}"))
            .context("can't write `.env`")?;
    }
    println!("Created {SCHEMA_PATH} and .env.");
    println!("Next: edit the schema, then run `drydock migrate dev --name init`.");
    Ok(ExitCode::SUCCESS)
}

fn schema_text(provider: &str) -> String {
    format!(
        "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n\
         generator client {{\n  provider = \"prisma-client-js\"\n}}\n\n\
         model User {{\n  id        Int      @id @default(autoincrement())\n  \
         email     String   @unique\n  name      String?\n  \
         createdAt DateTime @default(now())\n}}\n"
    )
}
