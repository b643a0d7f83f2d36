/* drydock stats */
-- Block reads from shared buffers (hits) and from outside them, over the user's tables and
-- indexes (drydock's own schema left out).
SELECT
  (SELECT coalesce(sum(heap_blks_hit), 0)::bigint FROM pg_statio_user_tables WHERE schemaname <> '_drydock'),
  (SELECT coalesce(sum(heap_blks_read), 0)::bigint FROM pg_statio_user_tables WHERE schemaname <> '_drydock'),
  (SELECT coalesce(sum(idx_blks_hit), 0)::bigint FROM pg_statio_user_indexes WHERE schemaname <> '_drydock'),
  (SELECT coalesce(sum(idx_blks_read), 0)::bigint FROM pg_statio_user_indexes WHERE schemaname <> '_drydock')
