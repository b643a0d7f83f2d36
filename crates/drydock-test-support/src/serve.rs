//! `drydock serve` for tests: the real binary on 127.0.0.1 (a free port) serving a project
//! whose second migration is pending, people and tokens to sign in with, and an HTTP client
//! that keeps every body it read (to look for secrets in).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::{DatabaseKind, TestDb};

pub const ALICE_PASSWORD: &str = "alice-correct-horse-battery";
pub const BOB_PASSWORD: &str = "bob-tr0ub4dor-and-3";
pub const CI_TOKEN: &str = "ci-token-7f1c2e9b4d";
pub const DEPLOY_TOKEN: &str = "deploy-token-a83b55e0c1";
pub const FIRST: &str = "20240101000000_init";
pub const SECOND: &str = "20240102000000_second";

/// The drydock binary beside the running test's own (`target/<profile>/deps/serve-...` runs
/// `target/<profile>/drydock`, which cargo builds before the package's tests).
pub fn drydock() -> Command {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("a test binary under target/<profile>/deps");
    Command::new(profile.join(format!("drydock{}", std::env::consts::EXE_SUFFIX)))
}

/// `drydock args` in the project `dir` on `db`, which must succeed.
pub fn succeeds(dir: &Path, db: &TestDb, args: &[&str]) {
    let status = drydock()
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", db.url())
        .status()
        .expect("drydock");
    assert!(status.success(), "drydock {}", args.join(" "));
}

/// `drydock serve --hash-password` with `secret` on standard input.
pub fn hash(secret: &str) -> String {
    let mut child = drydock()
        .args(["serve", "--hash-password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("drydock serve --hash-password");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{secret}").expect("write the secret");
    }
    let output = child.wait_with_output().expect("its hash");
    assert!(output.status.success());
    let hash = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(secret));
    hash.trim().to_owned()
}

/// A project on `db`: its first migration applied, the second pending; alice (operator) and
/// bob (viewer) sign in; token `ci` (viewer) is hashed in the file, `deploy` (operator) comes
/// from the environment.
pub fn project(db: &TestDb) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a project folder");
    let provider = match db.kind() {
        DatabaseKind::Postgres => "postgresql",
        DatabaseKind::Sqlite => "sqlite",
        DatabaseKind::Mysql => "mysql",
    };
    let quote = if provider == "mysql" { "`" } else { "\"" };
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
        std::fs::write(path, text).expect("write");
    };
    write(
        "prisma/schema.prisma",
        &format!(
            "datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n\
             model A {{\n  id Int @id\n}}\n\nmodel B {{\n  id Int @id\n}}\n"
        ),
    );
    write(
        &format!("prisma/migrations/{FIRST}/migration.sql"),
        &format!("CREATE TABLE {quote}A{quote} ({quote}id{quote} INTEGER NOT NULL PRIMARY KEY);\n"),
    );
    succeeds(dir.path(), db, &["migrate", "deploy"]);
    write(
        &format!("prisma/migrations/{SECOND}/migration.sql"),
        &format!("CREATE TABLE {quote}B{quote} ({quote}id{quote} INTEGER NOT NULL PRIMARY KEY);\n"),
    );
    write(
        "drydock.toml",
        &format!(
            "[serve]\nconnections = 2\n\n\
             [[serve.users]]\nname = \"alice\"\npassword_hash = \"{}\"\nrole = \"operator\"\n\n\
             [[serve.users]]\nname = \"bob\"\npassword_hash = \"{}\"\n\n\
             [[serve.tokens]]\nname = \"ci\"\nhash = \"{}\"\n\n\
             [[serve.tokens]]\nname = \"deploy\"\nenv = \"DRYDOCK_TEST_DEPLOY_TOKEN\"\nrole = \"operator\"\n",
            hash(ALICE_PASSWORD),
            hash(BOB_PASSWORD),
            hash(CI_TOKEN),
        ),
    );
    dir
}

/// The server, ended when dropped; its stderr collected as it comes.
pub struct Server {
    child: Child,
    pub base: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(dir: &Path, db: &TestDb, args: &[&str]) -> Server {
        let mut child = drydock()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir)
            .env("DATABASE_URL", db.url())
            .env("DRYDOCK_TEST_DEPLOY_TOKEN", DEPLOY_TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("drydock serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (listening, address) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().expect("stderr"));
        let kept = stderr.clone();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = listening.send(url.trim().to_owned());
                }
                let mut kept = kept.lock().expect("stderr");
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        // The reader ends, and the channel with it, if the server exits before listening.
        let Ok(base) = address.recv() else {
            let _ = child.wait();
            panic!(
                "drydock serve did not start:\n{}",
                stderr.lock().expect("stderr")
            );
        };
        Server {
            child,
            base,
            stderr,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    /// Ask the server to stop with SIGTERM and wait for its end: how it exited and its log.
    pub fn terminate(&mut self) -> (std::process::ExitStatus, String) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "SIGTERM could not be sent");
        let exit = self.child.wait().expect("the server's exit");
        // The reader takes the last lines after the exit.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !self.stderr().contains("drydock serve stopped")
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        (exit, self.stderr())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that shows every status and follows no redirect, and keeps every body it
/// read.
pub struct Client {
    pub agent: ureq::Agent,
    base: String,
    /// Every body read, to look for secrets in.
    pub bodies: Vec<String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value `name` gets in a `Set-Cookie` of this reply.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().into_iter().find_map(|c| {
            c.split(';')
                .next()?
                .strip_prefix(&format!("{name}="))
                .map(str::to_owned)
        })
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The `csrf` hidden field of the page's form.
    pub fn csrf(&self) -> String {
        let start = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        let end = self.body[start..].find('"').expect("its end");
        self.body[start..start + end].to_owned()
    }
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client::trusting(base, ureq::tls::TlsConfig::default())
    }

    /// A client whose TLS sessions trust what `tls` says.
    pub fn trusting(base: &str, tls: ureq::tls::TlsConfig) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .tls_config(tls)
            .build()
            .into();
        Client {
            agent,
            base: base.to_owned(),
            bodies: Vec::new(),
        }
    }

    pub fn reply(
        &mut self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Reply {
        let mut response = response.expect("an HTTP answer");
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let body = response.body_mut().read_to_string().expect("a body");
        self.bodies.push(body.clone());
        Reply {
            status: response.status().as_u16(),
            headers,
            body,
        }
    }

    pub fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.call();
        self.reply(response)
    }

    pub fn post(&mut self, path: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send_form(form.iter().copied());
        self.reply(response)
    }

    /// Sign in as `name`; the session cookie (`drydock_session=...`) and the reply.
    pub fn sign_in(&mut self, name: &str, password: &str) -> (Option<String>, Reply) {
        let form = self.get("/login", &[]);
        assert_eq!(form.status, 200);
        let login = form.cookie("drydock_login").expect("the form's cookie");
        let cookie = format!("drydock_login={login}");
        let reply = self.post(
            "/login",
            &[("Cookie", &cookie)],
            &[
                ("name", name),
                ("password", password),
                ("csrf", &form.csrf()),
            ],
        );
        let session = reply
            .cookie("drydock_session")
            .filter(|s| !s.is_empty())
            .map(|s| format!("drydock_session={s}"));
        (session, reply)
    }
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The served project, with authors and posts beside its models: the relation has no foreign
/// key (`relationMode = "prisma"`), and two of the three posts name authors that do not exist.
pub fn orphans_project(db: &TestDb) -> tempfile::TempDir {
    let dir = project(db);
    let provider = match db.kind() {
        DatabaseKind::Postgres => "postgresql",
        DatabaseKind::Sqlite => "sqlite",
        DatabaseKind::Mysql => "mysql",
    };
    std::fs::write(
        dir.path().join("prisma/schema.prisma"),
        format!(
            "datasource db {{\n  provider     = \"{provider}\"\n  url          = env(\"DATABASE_URL\")\n  \
             relationMode = \"prisma\"\n}}\n\n\
             model A {{\n  id Int @id\n}}\n\nmodel B {{\n  id Int @id\n}}\n\n\
             model Author {{\n  id    Int    @id\n  posts Post[]\n}}\n\n\
             model Post {{\n  id       Int    @id\n  author   Author @relation(fields: [authorId], \
             references: [id], onDelete: Cascade)\n  authorId Int\n  @@index([authorId])\n}}\n"
        ),
    )
    .expect("the schema");
    std::fs::write(
        dir.path().join("seed.sql"),
        "CREATE TABLE \"Author\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n\
         CREATE TABLE \"Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"authorId\" INTEGER NOT NULL);\n\
         INSERT INTO \"Author\" (\"id\") VALUES (1);\n\
         INSERT INTO \"Post\" (\"id\", \"authorId\") VALUES (1, 1), (2, 2), (3, 3);\n",
    )
    .expect("the seed");
    succeeds(dir.path(), db, &["db", "execute", "--file", "seed.sql"]);
    dir
}

/// No password or token of [`project`] in any body read or in the server's log.
pub fn assert_no_secret(bodies: &[String], stderr: &str) {
    for secret in [ALICE_PASSWORD, BOB_PASSWORD, CI_TOKEN, DEPLOY_TOKEN] {
        for body in bodies {
            assert!(!body.contains(secret), "a reply holds a secret:\n{body}");
        }
        assert!(
            !stderr.contains(secret),
            "the server's log holds a secret:\n{stderr}"
        );
    }
}
