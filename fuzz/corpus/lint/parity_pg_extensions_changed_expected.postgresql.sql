-- DropExtension
DROP EXTENSION "citext";

-- DropExtension
DROP EXTENSION "hstore";

-- DropExtension
DROP EXTENSION "isn";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "public";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "hstore" WITH VERSION "1.8";

-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "isn" WITH SCHEMA "public" VERSION "1.2";
