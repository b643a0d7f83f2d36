-- Which of the schemas in $1 exist.
SELECT nspname
FROM pg_namespace
WHERE nspname = ANY($1)
