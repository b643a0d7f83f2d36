-- Statements of this database that read rows without a usable index, from performance_schema's
-- statement digests (times in picoseconds): the normalized text, calls, mean milliseconds and
-- rows examined per call. `{calls}`, `{ms}` and `{rows}` are the thresholds.
SELECT DIGEST_TEXT, COUNT_STAR, SUM_TIMER_WAIT / COUNT_STAR / 1000000000,
  SUM_ROWS_EXAMINED / COUNT_STAR
FROM performance_schema.events_statements_summary_by_digest
WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT IS NOT NULL AND COUNT_STAR > 0
  AND SUM_NO_INDEX_USED + SUM_NO_GOOD_INDEX_USED > 0
  AND COUNT_STAR >= {calls}
  AND SUM_TIMER_WAIT / COUNT_STAR / 1000000000 >= {ms}
  AND SUM_ROWS_EXAMINED / COUNT_STAR >= {rows}
ORDER BY SUM_TIMER_WAIT DESC
LIMIT 100
