/* drydock stats */
-- Client sessions of the whole server by state: the connection limit is the server's.
SELECT coalesce(state, 'unknown'), count(*)::bigint
FROM pg_stat_activity
WHERE backend_type = 'client backend'
GROUP BY 1
ORDER BY 2 DESC, 1
