CREATE TABLE "base" (
  "id" INTEGER NOT NULL,
  "code" INTEGER NOT NULL,
  "label" TEXT NOT NULL
);
CREATE TABLE "child" (
  "extra" TEXT,
  CONSTRAINT "child_pkey" PRIMARY KEY ("code")
) INHERITS ("base");
CREATE TABLE "grandchild" (
  "more" TEXT
) INHERITS ("child");
CREATE TABLE "annex" (
  CONSTRAINT "annex_pkey" PRIMARY KEY ("code")
) INHERITS ("base");
