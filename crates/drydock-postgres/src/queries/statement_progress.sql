-- Progress of a session's index build, CLUSTER / VACUUM FULL or VACUUM (PostgreSQL 12 and
-- later): the command, its phase, and the larger of the counters the phase moves.
SELECT p.command,
       p.phase,
       CASE WHEN p.blocks_total > 0 THEN p.blocks_done ELSE p.tuples_done END,
       CASE WHEN p.blocks_total > 0 THEN p.blocks_total ELSE p.tuples_total END,
       CASE WHEN p.blocks_total > 0 THEN 'blocks' ELSE 'tuples' END
FROM pg_stat_progress_create_index p
WHERE p.pid = $1
UNION ALL
SELECT p.command, p.phase, p.heap_blks_scanned, p.heap_blks_total, 'blocks'
FROM pg_stat_progress_cluster p
WHERE p.pid = $1
UNION ALL
SELECT 'VACUUM', p.phase, p.heap_blks_scanned, p.heap_blks_total, 'blocks'
FROM pg_stat_progress_vacuum p
WHERE p.pid = $1
