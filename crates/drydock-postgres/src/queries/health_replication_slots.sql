-- Replication slots of the server (physical) and of this database (logical), with the
-- write-ahead log each keeps from removal.
SELECT slot_name::text, active, slot_type,
       CASE WHEN restart_lsn IS NULL THEN NULL
            ELSE pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                                      ELSE pg_current_wal_lsn() END, restart_lsn)::bigint END
FROM pg_replication_slots
WHERE database IS NULL OR database = current_database()
ORDER BY 1
