-- Key columns of index ?1 in order. `cid` is -2 for an expression, -1 for the rowid.
SELECT cid, name, "desc"
FROM pragma_index_xinfo(?1)
WHERE key = 1
ORDER BY seqno
