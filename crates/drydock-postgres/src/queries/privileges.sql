-- What a migration role needs, as (what, granted) rows: USAGE and CREATE on the managed schema
-- ($1) when it exists, else CREATE on the database to create it; SELECT, INSERT and UPDATE on
-- the history table when it exists (creating it is covered by CREATE on the schema).
WITH target AS (
    SELECT n.oid AS schema_oid,
           (SELECT c.oid
            FROM pg_class c
            WHERE c.relnamespace = n.oid
              AND c.relname = '_prisma_migrations'
              AND c.relkind IN ('r', 'p')) AS history_oid
    FROM (SELECT 1) AS one
    LEFT JOIN pg_namespace n ON n.nspname = $1::text
),
needed AS (
    SELECT 1 AS position, 'USAGE on schema ' || quote_ident($1::text) AS what,
           has_schema_privilege(schema_oid, 'USAGE') AS granted
    FROM target WHERE schema_oid IS NOT NULL
    UNION ALL
    SELECT 2, 'CREATE on schema ' || quote_ident($1::text),
           has_schema_privilege(schema_oid, 'CREATE')
    FROM target WHERE schema_oid IS NOT NULL
    UNION ALL
    SELECT 2, 'CREATE on database ' || quote_ident(current_database())
              || ' (schema ' || quote_ident($1::text) || ' does not exist yet)',
           has_database_privilege(current_database(), 'CREATE')
    FROM target WHERE schema_oid IS NULL
    UNION ALL
    SELECT 3 + p.ordinality::int,
           p.privilege || ' on table ' || quote_ident($1::text) || '._prisma_migrations',
           has_table_privilege(history_oid, p.privilege)
    FROM target, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE']) WITH ORDINALITY AS p (privilege, ordinality)
    WHERE history_oid IS NOT NULL
)
SELECT what, granted FROM needed ORDER BY position
