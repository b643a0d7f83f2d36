-- Transaction-ID age of the database and of the 20 oldest tables of the managed schemas (the
-- older of the table's and its TOAST table's), as PgHero and check_postgres read it.
SELECT 'database', current_database()::text, current_database()::text, age(datfrozenxid)::bigint, ''
FROM pg_database WHERE datname = current_database()
UNION ALL
(SELECT 'table', n.nspname || '.' || c.relname, c.relname::text,
        greatest(age(c.relfrozenxid), coalesce(age(tc.relfrozenxid), 0))::bigint,
        quote_ident(n.nspname) || '.' || quote_ident(c.relname)
 FROM pg_class c
 JOIN pg_namespace n ON n.oid = c.relnamespace
 LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
 WHERE c.relkind IN ('r', 'm') AND n.nspname::text = ANY($1)
 ORDER BY 4 DESC
 LIMIT 20)
