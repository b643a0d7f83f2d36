//! Databases a run creates for itself (the shadow database of `migrate dev`, the scratch
//! database of `backup verify`) name their owner in a comment (`drydock pid N on H started T`).
//! A run killed before dropping one leaves it; the next run of the same command drops those
//! whose owner is gone and says so, and never one whose owner may be alive. On MySQL and
//! MariaDB, which have no database comments, a run claims such a database with a named lock
//! (`GET_LOCK`) its process holds; a database nobody claims and nobody uses is a leftover.

mod support;

use std::path::Path;
use std::process::Child;

use drydock_test_support::output::succeeds;
use drydock_test_support::{
    TestDb, postgres_server_client, postgres_server_url, replace_database, wait_for,
};
use support::{drydock, drydock_command};

const SCHEMA: &str = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
model A {\n  id Int @id\n}\n\nmodel B {\n  id Int @id\n}\n";

/// The databases whose name starts with `prefix` and whose comment names process `pid`.
fn owned_by(prefix: &str, pid: u32) -> Vec<String> {
    postgres_server_client()
        .query(
            "SELECT datname::text FROM pg_database WHERE left(datname, length($1)) = $1 \
             AND shobj_description(oid, 'pg_database') LIKE $2",
            &[&prefix, &format!("drydock pid {pid} on %")],
        )
        .expect("databases")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// SIGKILL `child` once a database of `prefix` it owns exists; returns that database.
fn kill_once_it_owns(mut child: Child, prefix: &str) -> String {
    let pid = child.id();
    let mut owned = Vec::new();
    let reached = wait_for(|| {
        owned = owned_by(prefix, pid);
        !owned.is_empty() || child.try_wait().ok().flatten().is_some()
    });
    child.kill().expect("SIGKILL drydock");
    let killed = child.wait_with_output().expect("drydock ends");
    assert!(
        reached && !owned.is_empty() && killed.status.code().is_none(),
        "drydock ended before it made its {prefix} database: {}",
        String::from_utf8_lossy(&killed.stderr)
    );
    owned.remove(0)
}

fn exists(name: &str) -> bool {
    postgres_server_client()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .expect("pg_database")
        .get::<_, i64>(0)
        == 1
}

/// A database named `name`, with `comment`, dropped when the value is.
struct Made(String);

impl Made {
    fn new(name: String, comment: &str) -> Made {
        let mut client = postgres_server_client();
        // Claimed as drydock claims its own until the comment names the owner, so that a run
        // of another test never takes it for a leftover in between.
        claim(&mut client, &name);
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("make a database");
        client
            .batch_execute(&format!("COMMENT ON DATABASE \"{name}\" IS '{comment}'"))
            .expect("comment on it");
        Made(name)
    }
}

/// Take drydock's claim on database `name` in `client`'s session (an advisory lock keyed by
/// the name), as a run does before `CREATE DATABASE`.
fn claim(client: &mut postgres::Client, name: &str) {
    client
        .query(
            "SELECT pg_advisory_lock(hashtextextended($1, 72707369))",
            &[&name],
        )
        .expect("claim");
}

impl Drop for Made {
    fn drop(&mut self) {
        let _ = postgres_server_client().batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.0
        ));
    }
}

/// The tests of this file one at a time: each run drops every leftover on the server, the
/// other tests' too.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("host name")
        .trim()
        .to_owned()
}

#[test]
fn a_killed_migrate_dev_leaves_its_shadow_database_and_the_next_one_drops_it() {
    let _serial = one_at_a_time();
    let db = TestDb::postgres();
    // A migration the shadow replay spends a few seconds on: the kill comes during it.
    let project = drydock_test_support::crash::project(
        SCHEMA,
        &[(
            "20240101000000_slow",
            "SELECT pg_sleep(4);\nCREATE TABLE \"A\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\n",
        )],
    );
    let dir = project.path();
    let dev = ["migrate", "dev", "--name", "b"];

    let prefix = "prisma_migrate_shadow_db_";
    let child = drydock_command(dir, db.url(), &dev).spawn().expect("spawn");
    let shadow = kill_once_it_owns(child, prefix);
    let _left = Made(shadow.clone());
    assert!(
        exists(&shadow),
        "the killed run's shadow database is gone already"
    );

    // Databases of owners that may be alive stay: this test's own process (alive, this host),
    // and a run on another host whose session is connected.
    let alive = Made::new(
        format!("{prefix}alive_{}", std::process::id()),
        &format!(
            "drydock pid {} on {} started now",
            std::process::id(),
            host()
        ),
    );
    let elsewhere = format!("drydock pid 7 on elsewhere-{}", std::process::id());
    let mut connected = db.postgres_client();
    connected
        .query(
            "SELECT set_config('application_name', $1, false)",
            &[&elsewhere],
        )
        .expect("name the session");
    let remote = Made::new(
        format!("{prefix}remote_{}", std::process::id()),
        &format!("{elsewhere} started now"),
    );

    let next = drydock(dir, db.url(), &dev);
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert!(next.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "dropped the shadow database `{shadow}` left by drydock pid"
        )) && stderr.contains("its process is gone"),
        "the next migrate dev did not say it dropped the leftover: {stderr}"
    );
    assert!(
        !exists(&shadow),
        "the leftover shadow database is still there"
    );
    assert!(exists(&alive.0), "a live owner's database was dropped");
    assert!(
        exists(&remote.0),
        "a connected remote owner's database was dropped"
    );

    // Once the remote owner's session is gone, its database is a leftover too.
    drop(connected);
    wait_for(|| {
        postgres_server_client()
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&elsewhere],
            )
            .is_ok_and(|row| row.get::<_, i64>(0) == 0)
    });
    let again = drydock(dir, db.url(), &dev);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        !exists(&remote.0) && stderr.contains("no session of it is connected"),
        "a gone remote owner's database was kept: {stderr}"
    );
    assert!(exists(&alive.0));
}

#[test]
fn a_killed_backup_verify_leaves_its_scratch_database_and_the_next_one_drops_it() {
    let _serial = one_at_a_time();
    let db = TestDb::postgres();
    db.postgres_client()
        .batch_execute(
            "CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 8) AS pad \
             FROM generate_series(1, 300000) g",
        )
        .expect("fill");
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let backups = dir.join("backups");
    let backups = backups.to_str().expect("path");
    succeeds(&drydock(
        dir,
        db.url(),
        &["backup", "create", "--url", db.url(), "--dir", backups],
    ));
    let verify = ["backup", "verify", "--url", db.url(), "--dir", backups];

    let prefix = "drydock_scratch_";
    let child = drydock_command(dir, db.url(), &verify)
        .spawn()
        .expect("spawn");
    let scratch = kill_once_it_owns(child, prefix);
    let _left = Made(scratch.clone());
    assert!(
        exists(&scratch),
        "the killed run's scratch database is gone already"
    );

    let next = drydock(dir, db.url(), &verify);
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert!(next.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "dropped the scratch database `{scratch}` left by drydock pid"
        )) && stderr.contains("its process is gone"),
        "the next verify did not say it dropped the leftover: {stderr}"
    );
    assert!(
        !exists(&scratch),
        "the leftover scratch database is still there"
    );

    // `backup list` shows a leftover, and `backup prune --apply` drops it.
    let child = drydock_command(dir, db.url(), &verify)
        .spawn()
        .expect("spawn");
    let scratch = kill_once_it_owns(child, prefix);
    let _left = Made(scratch.clone());
    let list = ["backup", "list", "--url", db.url(), "--dir", backups];
    let listed = drydock(dir, db.url(), &list);
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(
        listed.status.success()
            && stderr.contains(&format!(
                "INTERRUPTED database {scratch}: scratch database left by"
            )),
        "backup list did not show the leftover: {stderr}"
    );
    let prune = [
        "backup",
        "prune",
        "--apply",
        "--url",
        db.url(),
        "--dir",
        backups,
    ];
    let pruned = drydock(dir, db.url(), &prune);
    let stderr = String::from_utf8_lossy(&pruned.stderr);
    assert!(
        pruned.status.success()
            && stderr.contains(&format!("dropped the scratch database `{scratch}`")),
        "backup prune did not drop the leftover: {stderr}"
    );
    assert!(
        !exists(&scratch),
        "the leftover scratch database is still there"
    );
}

#[test]
fn a_database_left_between_create_and_comment_is_dropped_unless_claimed_or_in_use() {
    let _serial = one_at_a_time();
    let db = TestDb::postgres();
    let project = drydock_test_support::crash::project(SCHEMA, &[]);
    let dir = project.path();
    let prefix = "prisma_migrate_shadow_db_";
    let tag = std::process::id();
    let mut client = postgres_server_client();

    // A run killed right after `CREATE DATABASE`: no comment, no claim, nobody connected.
    let killed = format!("{prefix}killed_{tag}");
    client
        .batch_execute(&format!("CREATE DATABASE \"{killed}\""))
        .expect("create");
    let _killed = Made(killed.clone());
    // A run between its `CREATE DATABASE` and its comment: claimed by a live session.
    let mut claiming = postgres_server_client();
    let creating = format!("{prefix}creating_{tag}");
    claim(&mut claiming, &creating);
    client
        .batch_execute(&format!("CREATE DATABASE \"{creating}\""))
        .expect("create");
    let _creating = Made(creating.clone());
    // Another tool's database without a comment, in use (Prisma's own shadow database).
    let in_use = format!("{prefix}in_use_{tag}");
    client
        .batch_execute(&format!("CREATE DATABASE \"{in_use}\""))
        .expect("create");
    let _in_use = Made(in_use.clone());
    let _connected = postgres::Client::connect(
        &replace_database(&postgres_server_url(), &in_use),
        postgres::NoTls,
    )
    .expect("connect");

    let dev = drydock(dir, db.url(), &["migrate", "dev", "--name", "init"]);
    let stderr = String::from_utf8_lossy(&dev.stderr);
    assert!(dev.status.success(), "{stderr}");
    assert!(
        !exists(&killed)
            && stderr.contains(&format!(
                "dropped the shadow database `{killed}` left by a run killed before its \
                 comment named it (no run claims it)"
            )),
        "the unnamed leftover was kept or not reported: {stderr}"
    );
    assert!(exists(&creating), "a claimed database was dropped");
    assert!(exists(&in_use), "a database in use was dropped");
    assert!(
        !stderr.contains(&creating) && !stderr.contains(&in_use),
        "{stderr}"
    );
}

const MYSQL_SCHEMA: &str = "datasource db {\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n\
model A {\n  id Int @id\n}\n\nmodel B {\n  id Int @id\n}\n";

/// A session on the MariaDB test server.
fn mysql_session() -> mysql::Conn {
    drydock_mysql::MysqlUrl::parse(&drydock_test_support::mysql_server_url())
        .and_then(|url| url.connect())
        .expect("a session on the MariaDB test server")
}

fn mysql_exists(name: &str) -> bool {
    use mysql::prelude::Queryable;
    mysql_session()
        .exec_first::<i64, _, _>(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            (name,),
        )
        .expect("schemata")
        == Some(1)
}

/// Drops the MariaDB database it names when dropped.
struct MysqlMade(String);

impl Drop for MysqlMade {
    fn drop(&mut self) {
        use mysql::prelude::Queryable;
        let _ = mysql_session().query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.0));
    }
}

/// SIGKILL `child` once a database of `prefix` that did not exist `before` is claimed (its
/// `drydock owns` lock held) and `ready` says it is in the middle of its work; that database.
fn kill_once_it_claims(mut child: Child, prefix: &str, before: &[String]) -> String {
    use mysql::prelude::Queryable;
    let mut session = mysql_session();
    let mut made = None;
    let reached = wait_for(|| {
        let names: Vec<String> = session
            .exec(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
                 WHERE LEFT(SCHEMA_NAME, CHAR_LENGTH(?)) = ? \
                 AND IS_USED_LOCK(CONCAT('drydock owns ', RIGHT(SCHEMA_NAME, 48))) IS NOT NULL",
                (prefix, prefix),
            )
            .expect("schemata");
        made = names.into_iter().find(|name| !before.contains(name));
        made.is_some() || child.try_wait().ok().flatten().is_some()
    });
    // Some work done inside it first, so the kill lands mid-way.
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().expect("SIGKILL drydock");
    let killed = child.wait_with_output().expect("drydock ends");
    assert!(
        reached && made.is_some() && killed.status.code().is_none(),
        "drydock ended before it made its {prefix} database: {}",
        String::from_utf8_lossy(&killed.stderr)
    );
    made.expect("a database")
}

fn mysql_sessions_on(database: &str) -> i64 {
    use mysql::prelude::Queryable;
    mysql_session()
        .exec_first(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ?",
            (database,),
        )
        .expect("processlist")
        .unwrap_or_default()
}

fn mysql_databases(prefix: &str) -> Vec<String> {
    use mysql::prelude::Queryable;
    mysql_session()
        .exec(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
             WHERE LEFT(SCHEMA_NAME, CHAR_LENGTH(?)) = ?",
            (prefix, prefix),
        )
        .expect("schemata")
}

#[test]
fn mysql_a_killed_migrate_dev_leaves_its_shadow_database_and_the_next_one_drops_it() {
    let _serial = one_at_a_time();
    let db = TestDb::mysql();
    let project = drydock_test_support::crash::project(
        MYSQL_SCHEMA,
        &[(
            "20240101000000_slow",
            "DO SLEEP(4);\nCREATE TABLE `A` (`id` INTEGER NOT NULL PRIMARY KEY);\n",
        )],
    );
    let dir = project.path();
    let dev = ["migrate", "dev", "--name", "b"];

    killed_then_dropped_by_the_next_run(
        dir,
        db.url(),
        &dev,
        drydock_mysql::SHADOW_DATABASE_PREFIX,
        "shadow database",
        |_| {},
    );
}

#[test]
fn mysql_a_killed_backup_verify_leaves_its_scratch_database_and_the_next_one_drops_it() {
    use mysql::prelude::Queryable;
    let _serial = one_at_a_time();
    let db = TestDb::mysql();
    let mut conn = db.mysql_conn();
    conn.query_drop("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(300))")
        .expect("table");
    // MariaDB's sequence engine: `seq_1_to_N` is a table of the numbers 1 to N.
    conn.query_drop("INSERT INTO big SELECT seq, REPEAT(MD5(seq), 8) FROM seq_1_to_200000")
        .expect("fill");
    let project = tempfile::tempdir().expect("project");
    let dir = project.path();
    let backups = dir.join("backups");
    let backups = backups.to_str().expect("path");
    succeeds(&drydock(
        dir,
        db.url(),
        &["backup", "create", "--url", db.url(), "--dir", backups],
    ));
    let verify = ["backup", "verify", "--url", db.url(), "--dir", backups];

    // `backup list` shows the leftover before the next verify drops it.
    let list = ["backup", "list", "--url", db.url(), "--dir", backups];
    killed_then_dropped_by_the_next_run(
        dir,
        db.url(),
        &verify,
        "drydock_scratch_",
        "scratch database",
        |scratch| {
            let listed = drydock(dir, db.url(), &list);
            let stderr = String::from_utf8_lossy(&listed.stderr);
            assert!(
                listed.status.success()
                    && stderr.contains(&format!(
                        "INTERRUPTED database {scratch}: scratch database left by a run that is gone"
                    )),
                "backup list did not show the leftover: {stderr}"
            );
        },
    );
}

/// Run drydock with `args` on MariaDB `url`, SIGKILL it once it has claimed a database of
/// `prefix` (a `what`), call `meanwhile` with that database, then run `args` again: the next run
/// drops the leftover, says so, and leaves none of its own.
fn killed_then_dropped_by_the_next_run(
    dir: &Path,
    url: &str,
    args: &[&str],
    prefix: &str,
    what: &str,
    meanwhile: impl FnOnce(&str),
) {
    let before = mysql_databases(prefix);
    let child = drydock_command(dir, url, args).spawn().expect("spawn");
    let left = kill_once_it_claims(child, prefix, &before);
    let _left = MysqlMade(left.clone());
    assert!(
        mysql_exists(&left),
        "the killed run's {what} is gone already"
    );
    // The server ends the killed run's session only once its statement is over (a sleep, a
    // restore's statement); while a session uses the database it is not taken for a leftover.
    assert!(
        wait_for(|| mysql_sessions_on(&left) == 0),
        "the killed run's session on {left} never ended"
    );
    meanwhile(&left);
    let next = drydock(dir, url, args);
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert!(next.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "dropped the {what} `{left}` left by a run that is gone"
        )),
        "the next run did not say it dropped the leftover: {stderr}"
    );
    assert!(!mysql_exists(&left), "the leftover {what} is still there");
    assert!(
        mysql_databases(prefix)
            .iter()
            .all(|name| before.contains(name)),
        "the next run left its own {what}"
    );
}
