-- Scheduled events (`CREATE EVENT`), by name; each one's statement comes from SHOW CREATE EVENT.
SELECT EVENT_NAME
FROM information_schema.EVENTS
WHERE EVENT_SCHEMA = DATABASE()
ORDER BY EVENT_NAME
