-- Sequences of the managed schemas that have handed out values, with the column they feed
-- (serial: an automatic dependency; identity: an internal one). The maximum is the smaller of
-- the sequence's and the column type's, as PgHero reads it. Descending sequences are left out.
SELECT s.schemaname || '.' || s.sequencename,
       quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename),
       CASE WHEN a.attname IS NULL THEN NULL ELSE tn.nspname || '.' || t.relname || '.' || a.attname END,
       CASE WHEN a.attname IS NULL THEN NULL ELSE quote_ident(tn.nspname) || '.' || quote_ident(t.relname) END,
       quote_ident(a.attname),
       coalesce(format_type(a.atttypid, NULL), format_type(s.data_type, NULL)),
       d.deptype = 'i',
       s.last_value,
       least(s.max_value, CASE a.atttypid
           WHEN 'int2'::regtype THEN 32767
           WHEN 'int4'::regtype THEN 2147483647
           ELSE s.max_value END)
FROM pg_sequences s
JOIN pg_namespace sn ON sn.nspname = s.schemaname
JOIN pg_class sc ON sc.relnamespace = sn.oid AND sc.relname = s.sequencename
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = sc.oid
  AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.schemaname::text = ANY($1) AND s.last_value IS NOT NULL AND s.increment_by > 0
ORDER BY 1
