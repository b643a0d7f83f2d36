//! The registry of databases drydock speaks: the only place in the core that names them.

use drydock_connector::Dialect;

static POSTGRES: drydock_postgres::PostgresDialect = drydock_postgres::PostgresDialect;
static SQLITE: drydock_sqlite::SqliteDialect = drydock_sqlite::SqliteDialect;

/// Every supported dialect.
pub fn all() -> [&'static dyn Dialect; 2] {
    [&POSTGRES, &SQLITE]
}

/// The dialect for a `provider` value of a datasource block (`postgresql`, `postgres`, `sqlite`).
pub fn for_provider(provider: &str) -> Option<&'static dyn Dialect> {
    all()
        .into_iter()
        .find(|d| d.lowering_rules().providers().contains(&provider))
}

/// The dialect that serves a connection URL, by its scheme.
pub fn for_url(url: &str) -> Option<&'static dyn Dialect> {
    all().into_iter().find(|d| d.accepts_url(url))
}

/// What a connection URL of `dialect` looks like, for error messages.
pub fn url_example(dialect: &dyn Dialect) -> &'static str {
    match dialect.provider() {
        "postgresql" => "`postgresql://user:password@host:5432/database?schema=public`",
        "sqlite" => "`file:./dev.db`",
        _ => "the database's connection URL",
    }
}
