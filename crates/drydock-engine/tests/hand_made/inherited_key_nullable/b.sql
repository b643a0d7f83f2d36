CREATE TABLE "base" (
  "id" INTEGER NOT NULL,
  "code" INTEGER,
  "label" TEXT
);
CREATE TABLE "child" (
  "extra" TEXT,
  CONSTRAINT "child_pkey" PRIMARY KEY ("code")
) INHERITS ("base");
CREATE TABLE "grandchild" (
  "more" TEXT
) INHERITS ("child");
