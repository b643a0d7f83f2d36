-- CreateTable
CREATE TABLE "post_translations" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "post_id" INTEGER NOT NULL,
    "language_code" TEXT NOT NULL,
    "translation_status_id" INTEGER NOT NULL,
    "a_rather_long_column_name_that_goes_on_and_on_forever" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "post_translations_post_id_language_code_translation_status_id_idx" ON "post_translations"("post_id", "language_code", "translation_status_id");

-- CreateIndex
CREATE UNIQUE INDEX "post_translations_a_rather_long_column_name_that_goes_on_and_on_forever_language_code_key" ON "post_translations"("a_rather_long_column_name_that_goes_on_and_on_forever", "language_code");
