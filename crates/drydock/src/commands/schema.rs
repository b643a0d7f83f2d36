//! `validate` and `format`.

use std::process::ExitCode;

use anyhow::Context;
use drydock_engine::Discovery;

pub(crate) fn validate(discovery: Discovery<'_>) -> anyhow::Result<ExitCode> {
    let project = super::load_project(discovery)?;
    // Lowering checks what depends on the database (native types, name lengths).
    project.target_schema(None)?;
    if !project.warnings.is_empty() {
        eprintln!("{}", project.warnings.render(&project.files));
    }
    println!(
        "The schema at {} is valid 🚀",
        project.schema_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn format(discovery: Discovery<'_>, check: bool) -> anyhow::Result<ExitCode> {
    // Formatting works on schemas that do not validate yet: no validation here.
    let (files, _) = drydock_engine::read_schema(discovery.schema, discovery.config)?;
    let mut unformatted = Vec::new();
    for (_, file) in files.iter() {
        let formatted = drydock_psl::format(&file.text);
        if formatted == file.text {
            continue;
        }
        if check {
            unformatted.push(file.name.clone());
        } else {
            std::fs::write(&file.name, formatted)
                .with_context(|| format!("can't write `{}`", file.name))?;
            println!("Formatted {}", file.name);
        }
    }
    if check && !unformatted.is_empty() {
        for name in &unformatted {
            eprintln!("{name} is not formatted; run `drydock format`");
        }
        return Ok(ExitCode::FAILURE);
    }
    if !check && unformatted.is_empty() {
        println!("The schema is already formatted");
    }
    Ok(ExitCode::SUCCESS)
}
