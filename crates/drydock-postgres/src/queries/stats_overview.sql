/* drydock stats */
-- The database's name, size, the server's version and role, and its connection limit.
SELECT current_database()::text,
       pg_database_size(current_database())::bigint,
       current_setting('server_version'),
       pg_is_in_recovery(),
       current_setting('max_connections')::bigint
