CREATE FUNCTION "touch"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE "item" (
  "id" INTEGER NOT NULL,
  "tags" TEXT,
  "price" INTEGER,
  CONSTRAINT "item_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "item_tags_check" CHECK ("tags" <> ''),
  CONSTRAINT "item_price_check" CHECK ("price" >= 0)
);
COMMENT ON COLUMN "item"."tags" IS 'Comma separated';
COMMENT ON COLUMN "item"."price" IS 'In cents';
CREATE TABLE "event" (
  "id" INTEGER NOT NULL,
  "at" INTEGER NOT NULL,
  CONSTRAINT "event_at_check" CHECK ("at" >= 0)
) PARTITION BY RANGE ("at");
COMMENT ON TABLE "event" IS 'Everything that happened';
COMMENT ON COLUMN "event"."at" IS 'When';
CREATE TRIGGER "event_touch" AFTER INSERT ON "event" FOR EACH ROW EXECUTE FUNCTION "touch"();
