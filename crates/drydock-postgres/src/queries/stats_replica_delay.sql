/* drydock stats */
-- Replica: how far replay is behind, in seconds (0 when everything received is replayed).
SELECT CASE
         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8
         ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8
       END
