-- Estimated wasted bytes of each valid B-tree index of the schemas in $1, from pg_stats
-- (null_frac, avg_width), reltuples/relpages, the block size and MAXALIGN, with a fill factor
-- of 90 unless set: the estimate PgHero's index bloat page uses.
SELECT nspname::text, idxname::text,
       GREATEST(bs * (relpages - est_pages_ff), 0)::bigint AS bloat_bytes
FROM (
  SELECT COALESCE(1 + ceil(reltuples / floor((bs - pageopqdata - pagehdr) * fillfactor
                  / (100 * (4 + nulldatahdrwidth)::float))), 0) AS est_pages_ff,
         bs, nspname, idxname, relpages
  FROM (
    SELECT maxalign, bs, nspname, idxname, reltuples, relpages, fillfactor, pagehdr, pageopqdata,
           (index_tuple_hdr_bm + maxalign
              - CASE WHEN index_tuple_hdr_bm % maxalign = 0 THEN maxalign
                     ELSE index_tuple_hdr_bm % maxalign END
              + nulldatawidth + maxalign
              - CASE WHEN nulldatawidth = 0 THEN 0
                     WHEN nulldatawidth::integer % maxalign = 0 THEN maxalign
                     ELSE nulldatawidth::integer % maxalign END
           )::numeric AS nulldatahdrwidth
    FROM (
      SELECT i.nspname, i.idxname, i.reltuples, i.relpages, i.fillfactor,
             current_setting('block_size')::numeric AS bs,
             CASE WHEN version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64' THEN 8 ELSE 4 END
               AS maxalign,
             24 AS pagehdr,
             16 AS pageopqdata,
             CASE WHEN max(COALESCE(s.null_frac, 0)) = 0 THEN 8 ELSE 8 + ((32 + 8 - 1) / 8) END
               AS index_tuple_hdr_bm,
             sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 1024)) AS nulldatawidth
      FROM pg_attribute a
      JOIN (
        SELECT n.nspname, tbl.relname AS tblname, idx.relname AS idxname, idx.reltuples,
               idx.relpages, x.indexrelid,
               COALESCE(substring(array_to_string(idx.reloptions, ' ') FROM 'fillfactor=([0-9]+)')::smallint,
                        90) AS fillfactor
        FROM pg_index x
        JOIN pg_class idx ON idx.oid = x.indexrelid
        JOIN pg_class tbl ON tbl.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = idx.relnamespace
        JOIN pg_am am ON am.oid = idx.relam
        WHERE x.indisvalid AND tbl.relkind = 'r' AND idx.relpages > 0 AND am.amname = 'btree'
          AND n.nspname = ANY($1)
      ) AS i ON a.attrelid = i.indexrelid
      JOIN pg_stats s ON s.schemaname = i.nspname
        AND ((s.tablename = i.tblname
              AND s.attname = pg_get_indexdef(a.attrelid, a.attnum, true))
             OR (s.tablename = i.idxname AND s.attname = a.attname))
      WHERE a.attnum > 0
      GROUP BY 1, 2, 3, 4, 5
    ) AS s1
  ) AS s2
) AS s3
