CREATE TABLE "vehicle" (
  "id" INTEGER NOT NULL,
  "wheels" INTEGER,
  "plate" TEXT,
  CONSTRAINT "vehicle_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "truck" (
  "payload" INTEGER,
  CONSTRAINT "truck_pkey" PRIMARY KEY ("id")
) INHERITS ("vehicle");
