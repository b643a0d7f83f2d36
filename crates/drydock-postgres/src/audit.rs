//! The audit log (`_drydock_audit`) on PostgreSQL, beside the run log in drydock's own schema
//! `_drydock`, and the event trigger of `drydock audit install`: a function run at the end of
//! every DDL command (`ddl_command_end`) and for every drop (`sql_drop`) that appends an entry
//! for DDL run outside drydock, hashed in SQL exactly as [`drydock_connector::entry_hash`]
//! hashes (`sha256()`, built in since PostgreSQL 11). Sessions of drydock carry the setting
//! [`DRYDOCK_SESSION_SETTING`], and the trigger leaves their DDL to drydock's own entries.
//!
//! Writers serialize on a `SHARE ROW EXCLUSIVE` lock of the table (it conflicts with itself and
//! lets readers through): each reads the head and inserts the next entry under it.

use drydock_connector::{
    AUDIT_COLUMNS, AUDIT_TABLE, AuditEntry, AuditLog, AuditOrigin, AuditRecord, AuditTrigger,
    ConnectorError, DRYDOCK_SESSION_SETTING, GENESIS_HASH,
};
use postgres::Client;
use postgres::types::Type;

use crate::connection::{query_error, quote_ident};
use crate::runs::{RUN_SCHEMA, create_own_table};
use crate::url::PgUrl;

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS {table} (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    host        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    command     TEXT NOT NULL,
    target      TEXT NOT NULL,
    details     TEXT NOT NULL,
    result      TEXT NOT NULL,
    error_code  TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
)";

/// The event triggers' and their function's names.
const TRIGGER_END: &str = "drydock_audit_ddl";
const TRIGGER_DROP: &str = "drydock_audit_drop";
const FUNCTION: &str = "drydock_audit_ddl";

/// The function both event triggers run. `{table}` is the audit table, `{schema}` drydock's
/// schema, `{genesis}` the first entry's previous hash, `{setting}` drydock's session mark.
/// `SECURITY DEFINER`: it writes the log for any role that may run DDL.
const FUNCTION_SQL: &str = r#"CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $drydock$
DECLARE
    at_time timestamptz := clock_timestamp();
    who text := session_user;
    from_host text := coalesce(host(inet_client_addr()), 'local');
    what text;
    details text;
    head_seq bigint;
    head_hash text;
    next_seq bigint;
    prev text;
    content text;
BEGIN
    IF coalesce(current_setting('{setting}', true), '') <> '' THEN
        RETURN;
    END IF;
    IF tg_event = 'sql_drop' THEN
        SELECT string_agg(DISTINCT object_identity, ', ') INTO what
        FROM pg_event_trigger_dropped_objects()
        WHERE original AND schema_name IS DISTINCT FROM '{schema_name}';
    ELSE
        SELECT string_agg(DISTINCT object_identity, ', ') INTO what
        FROM pg_event_trigger_ddl_commands()
        WHERE schema_name IS DISTINCT FROM '{schema_name}';
    END IF;
    IF what IS NULL THEN
        RETURN;
    END IF;
    details := json_build_object(
        'statement', current_query(),
        'application_name', current_setting('application_name'),
        'client_addr', host(inet_client_addr()),
        'current_user', current_user,
        'event', tg_event
    )::text;
    LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;
    SELECT seq, hash INTO head_seq, head_hash FROM {table} ORDER BY seq DESC LIMIT 1;
    next_seq := coalesce(head_seq, 0) + 1;
    prev := coalesce(head_hash, '{genesis}');
    SELECT prev || E'\n' || string_agg(octet_length(f) || ':' || f || E'\n', '' ORDER BY n)
    INTO content
    FROM unnest(ARRAY[
        next_seq::text,
        to_char(at_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        who, from_host, 'database', tg_tag, what, details, 'succeeded', ''
    ]) WITH ORDINALITY AS fields(f, n);
    INSERT INTO {table} ({columns}) VALUES (
        next_seq, at_time, who, from_host, 'database', tg_tag, what, details, 'succeeded', '',
        prev, encode(sha256(convert_to(content, 'UTF8')), 'hex')
    );
END
$drydock$"#;

pub(crate) struct PostgresAuditLog {
    client: Client,
    table: String,
}

impl PostgresAuditLog {
    pub(crate) fn open(url: &str) -> Result<Self, ConnectorError> {
        let mut client = PgUrl::parse(url)?.connect()?;
        let table = format!("{}.{}", quote_ident(RUN_SCHEMA), quote_ident(AUDIT_TABLE));
        create_own_table(&mut client, &CREATE_TABLE.replace("{table}", &table))?;
        Ok(PostgresAuditLog { client, table })
    }

    fn function_sql(&self) -> String {
        FUNCTION_SQL
            .replace("{schema}", &quote_ident(RUN_SCHEMA))
            .replace("{schema_name}", RUN_SCHEMA)
            .replace("{function}", &quote_ident(FUNCTION))
            .replace("{table}", &self.table)
            .replace("{columns}", AUDIT_COLUMNS)
            .replace("{genesis}", GENESIS_HASH)
            .replace("{setting}", DRYDOCK_SESSION_SETTING)
    }
}

impl AuditLog for PostgresAuditLog {
    fn append(&mut self, record: AuditRecord) -> Result<AuditEntry, ConnectorError> {
        let mut transaction = self.client.transaction().map_err(|e| query_error(&e))?;
        transaction
            .batch_execute(&format!(
                "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                self.table
            ))
            .map_err(|e| query_error(&e))?;
        let head = transaction
            .query_typed_opt(
                &format!(
                    "SELECT seq, hash FROM {} ORDER BY seq DESC LIMIT 1",
                    self.table
                ),
                &[],
            )
            .map_err(|e| query_error(&e))?
            .map(|row| (row.get::<_, i64>(0), row.get::<_, String>(1)));
        let entry = AuditEntry::next(head.as_ref().map(|(s, h)| (*s, h.as_str())), record);
        let r = &entry.record;
        transaction
            .query_typed(
                &format!(
                    "INSERT INTO {} ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                     $11, $12)",
                    self.table
                ),
                &[
                    (&entry.seq, Type::INT8),
                    (&r.at, Type::TIMESTAMPTZ),
                    (&r.actor, Type::TEXT),
                    (&r.host, Type::TEXT),
                    (&r.origin.as_str(), Type::TEXT),
                    (&r.command, Type::TEXT),
                    (&r.target, Type::TEXT),
                    (&r.details, Type::TEXT),
                    (&r.result, Type::TEXT),
                    (&r.error_code, Type::TEXT),
                    (&entry.prev_hash, Type::TEXT),
                    (&entry.hash, Type::TEXT),
                ],
            )
            .map_err(|e| query_error(&e))?;
        transaction.commit().map_err(|e| query_error(&e))?;
        Ok(entry)
    }

    fn entries(&mut self) -> Result<Vec<AuditEntry>, ConnectorError> {
        let rows = self
            .client
            .query_typed(
                &format!("SELECT {AUDIT_COLUMNS} FROM {} ORDER BY seq", self.table),
                &[],
            )
            .map_err(|e| query_error(&e))?;
        rows.iter()
            .map(|row| {
                let origin: String = row.get(4);
                Ok(AuditEntry {
                    seq: row.get(0),
                    record: AuditRecord {
                        at: row.get(1),
                        actor: row.get(2),
                        host: row.get(3),
                        origin: AuditOrigin::parse(&origin).ok_or_else(|| {
                            ConnectorError::query(format!(
                                "`{AUDIT_TABLE}` holds an origin drydock does not write: \
                                 `{origin}`"
                            ))
                        })?,
                        command: row.get(5),
                        target: row.get(6),
                        details: row.get(7),
                        result: row.get(8),
                        error_code: row.get(9),
                    },
                    prev_hash: row.get(10),
                    hash: row.get(11),
                })
            })
            .collect()
    }

    fn trigger(&mut self) -> Option<&mut dyn AuditTrigger> {
        Some(self)
    }
}

impl AuditTrigger for PostgresAuditLog {
    fn install(&mut self) -> Result<(), ConnectorError> {
        let superuser: bool = self
            .client
            .query_typed_one(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
                &[],
            )
            .map_err(|e| query_error(&e))?
            .get(0);
        if !superuser {
            return Err(not_privileged("the role is not a superuser"));
        }
        let function = format!("{}.{}", quote_ident(RUN_SCHEMA), quote_ident(FUNCTION));
        let sql = format!(
            "BEGIN;\
             {function_sql};\
             DROP EVENT TRIGGER IF EXISTS {end};\
             DROP EVENT TRIGGER IF EXISTS {drop};\
             CREATE EVENT TRIGGER {end} ON ddl_command_end EXECUTE FUNCTION {function}();\
             CREATE EVENT TRIGGER {drop} ON sql_drop EXECUTE FUNCTION {function}();\
             COMMIT;",
            function_sql = self.function_sql(),
            end = quote_ident(TRIGGER_END),
            drop = quote_ident(TRIGGER_DROP),
        );
        self.client.batch_execute(&sql).map_err(|e| {
            if e.code().is_some_and(|c| c.code() == "42501") {
                not_privileged(&query_error(&e).to_string())
            } else {
                query_error(&e)
            }
        })
    }

    fn uninstall(&mut self) -> Result<bool, ConnectorError> {
        let installed = self.installed()?;
        let sql = format!(
            "BEGIN;DROP EVENT TRIGGER IF EXISTS {};DROP EVENT TRIGGER IF EXISTS {};\
             DROP FUNCTION IF EXISTS {}.{}();COMMIT;",
            quote_ident(TRIGGER_END),
            quote_ident(TRIGGER_DROP),
            quote_ident(RUN_SCHEMA),
            quote_ident(FUNCTION)
        );
        self.client.batch_execute(&sql).map_err(|e| {
            if e.code().is_some_and(|c| c.code() == "42501") {
                not_privileged(&query_error(&e).to_string())
            } else {
                query_error(&e)
            }
        })?;
        Ok(installed)
    }

    fn installed(&mut self) -> Result<bool, ConnectorError> {
        let count: i64 = self
            .client
            .query_typed_one(
                "SELECT count(*) FROM pg_event_trigger WHERE evtname IN ($1, $2)",
                &[(&TRIGGER_END, Type::NAME), (&TRIGGER_DROP, Type::NAME)],
            )
            .map_err(|e| query_error(&e))?
            .get(0);
        Ok(count == 2)
    }
}

/// `D3202`: event triggers need a superuser.
fn not_privileged(why: &str) -> ConnectorError {
    ConnectorError::Refused {
        code: "D3202",
        message: format!(
            "the audit trigger was not changed: event triggers need a superuser ({why}). Run \
             `drydock audit install` (or `uninstall`) with a superuser's URL (`--url`); \
             drydock's own changes are audited without it"
        ),
    }
}
