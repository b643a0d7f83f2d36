//! The registry of databases drydock speaks: the only place in the core that names them.

use drydock_connector::Dialect;

static POSTGRES: drydock_postgres::PostgresDialect = drydock_postgres::PostgresDialect;
static SQLITE: drydock_sqlite::SqliteDialect = drydock_sqlite::SqliteDialect;
static MYSQL: drydock_mysql::MysqlDialect = drydock_mysql::MysqlDialect;

/// Every supported dialect.
pub fn all() -> [&'static dyn Dialect; 3] {
    [&POSTGRES, &SQLITE, &MYSQL]
}

/// The dialect for a `provider` value of a datasource block (`postgresql`, `postgres`, `sqlite`).
pub fn for_provider(provider: &str) -> Option<&'static dyn Dialect> {
    all()
        .into_iter()
        .find(|d| d.lowering_rules().providers().contains(&provider))
}

/// The dialect whose grammar reads loose SQL files that no project or URL places: PostgreSQL's,
/// which the linter knows best.
pub fn for_loose_sql() -> &'static dyn Dialect {
    &POSTGRES
}

/// The dialect that serves a connection URL, by its scheme.
pub fn for_url(url: &str) -> Option<&'static dyn Dialect> {
    all().into_iter().find(|d| d.accepts_url(url))
}
