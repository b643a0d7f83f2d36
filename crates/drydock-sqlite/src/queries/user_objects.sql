-- Everything a reset drops: views and triggers first, then tables (their indexes go with
-- them). SQLite's own objects stay.
SELECT type, name
FROM sqlite_master
WHERE type IN ('view', 'trigger', 'table')
  AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, name
