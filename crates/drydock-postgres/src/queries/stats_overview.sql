/* drydock stats */
-- The database's name, size, the server's version and role, its connection limit, and since
-- when its statistics count (the later of their reset and the server's start: the counters
-- may be older, never younger).
SELECT current_database()::text,
       pg_database_size(current_database())::bigint,
       current_setting('server_version'),
       pg_is_in_recovery(),
       current_setting('max_connections')::bigint,
       (SELECT greatest(stats_reset, pg_postmaster_start_time())
        FROM pg_stat_database WHERE datname = current_database())
