CREATE TABLE "vehicle" (
  "id" INTEGER NOT NULL,
  "wheels" BIGINT NOT NULL,
  "color" TEXT,
  CONSTRAINT "vehicle_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "truck" (
  "payload" INTEGER,
  "axles" INTEGER,
  CONSTRAINT "truck_pkey" PRIMARY KEY ("id")
) INHERITS ("vehicle");
CREATE TABLE "bus" (
  "seats" INTEGER
) INHERITS ("vehicle");
