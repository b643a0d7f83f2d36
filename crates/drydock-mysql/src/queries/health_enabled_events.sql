-- The database's enabled events, which run only while the server's event scheduler is ON.
SELECT EVENT_NAME
FROM information_schema.EVENTS
WHERE EVENT_SCHEMA = DATABASE() AND STATUS = 'ENABLED'
ORDER BY EVENT_NAME
