-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Membership" (
    "orgId" INTEGER NOT NULL,
    "userId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "joined" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "slug" TEXT NOT NULL,
    "ordinal" INTEGER NOT NULL,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("orgId","userId")
);

-- CreateTable
CREATE TABLE "items" (
    "item_code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "price_cents" INTEGER NOT NULL,

    CONSTRAINT "items_pkey" PRIMARY KEY ("item_code")
);

-- CreateIndex
CREATE INDEX "Membership_role_joined_idx" ON "Membership"("role", "joined" DESC);

-- CreateIndex
CREATE INDEX "custom_ordinal_idx" ON "Membership"("ordinal");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_orgId_slug_key" ON "Membership"("orgId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "membership_slug_ordinal" ON "Membership"("slug", "ordinal");

-- CreateIndex
CREATE UNIQUE INDEX "item_label_unique" ON "items"("label");
