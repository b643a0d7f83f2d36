-- Extensions the tables of the schemas in $1 need: a member of the extension (a type, the
-- element type of an array type, an operator class, a function) that a table or one of its
-- columns, indexes, defaults or constraints depends on.
SELECT DISTINCT e.extname AS name
FROM pg_depend d
LEFT JOIN pg_type array_type
       ON d.refclassid = 'pg_type'::regclass AND array_type.oid = d.refobjid
      AND array_type.typelem <> 0 AND array_type.typlen = -1
JOIN pg_depend member
  ON member.classid = d.refclassid
 AND member.objid = coalesce(array_type.typelem, d.refobjid)
 AND member.refclassid = 'pg_extension'::regclass
 AND member.deptype = 'e'
JOIN pg_extension e ON e.oid = member.refobjid
JOIN pg_class c ON c.oid = CASE d.classid
    WHEN 'pg_class'::regclass THEN d.objid
    WHEN 'pg_attrdef'::regclass THEN (SELECT ad.adrelid FROM pg_attrdef ad WHERE ad.oid = d.objid)
    WHEN 'pg_constraint'::regclass THEN (SELECT con.conrelid FROM pg_constraint con WHERE con.oid = d.objid)
END
LEFT JOIN pg_index i ON i.indexrelid = c.oid
JOIN pg_class owner ON owner.oid = coalesce(i.indrelid, c.oid)
JOIN pg_namespace n ON n.oid = owner.relnamespace
WHERE owner.relkind IN ('r', 'p')
  AND n.nspname = ANY($1)
ORDER BY 1
