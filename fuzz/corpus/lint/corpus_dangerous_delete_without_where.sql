-- expect: delete-without-where
DELETE FROM "Event";
