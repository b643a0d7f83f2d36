-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "emission_categories" (
    "id" SERIAL NOT NULL,
    "id_emission_category" INTEGER NOT NULL,
    "id_language" INTEGER NOT NULL,
    "label" VARCHAR(255) NOT NULL,
    "detail" VARCHAR(2550) NOT NULL,

    CONSTRAINT "emission_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "emission_sub_categories" (
    "id" SERIAL NOT NULL,
    "id_emission_category" INTEGER NOT NULL,
    "id_emission_sub_category" INTEGER NOT NULL,
    "id_language" INTEGER NOT NULL,
    "label" VARCHAR(255) NOT NULL,
    "detail" VARCHAR(2550) NOT NULL,

    CONSTRAINT "emission_sub_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "emission_factors" (
    "id" SERIAL NOT NULL,
    "id_emission_sub_category" INTEGER NOT NULL,
    "id_language" INTEGER NOT NULL,
    "label" VARCHAR(255) NOT NULL,
    "type" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "value" DECIMAL NOT NULL,
    "depreciationPeriod" DECIMAL,
    "uncertainty" DECIMAL NOT NULL,

    CONSTRAINT "emission_factors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "groups" (
    "id" UUID NOT NULL,
    "id_school" UUID NOT NULL,
    "id_session_student" UUID NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "year" INTEGER NOT NULL DEFAULT date_part('year'::text, CURRENT_DATE),
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "rights" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "languages" (
    "id" INTEGER NOT NULL,
    "language_code" CHAR(2) NOT NULL,
    "flag_url" VARCHAR(255) NOT NULL,

    CONSTRAINT "languages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "school_admins" (
    "school_id" UUID NOT NULL,
    "admin_username" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "school_admins_pkey" PRIMARY KEY ("school_id","admin_username")
);

-- CreateTable
CREATE TABLE "schools" (
    "id" UUID NOT NULL,
    "state" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "town_name" TEXT NOT NULL,
    "postal_code" TEXT NOT NULL,
    "student_count" INTEGER,
    "staff_count" INTEGER,
    "establishment_year" INTEGER,
    "adress" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "schools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comments" (
    "id" UUID NOT NULL,
    "id_emission_sub_category" UUID NOT NULL,
    "comment" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "email_created_by" TEXT,

    CONSTRAINT "comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_emission_categories" (
    "id" UUID NOT NULL,
    "id_session_student" UUID NOT NULL,
    "id_emission_category" INTEGER NOT NULL,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "session_emission_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_emission_sub_categories" (
    "id" UUID NOT NULL,
    "id_session_emission_category" UUID NOT NULL,
    "id_emission_sub_category" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "session_emission_sub_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_emissions" (
    "id" UUID NOT NULL,
    "id_session_emission_sub_category" UUID NOT NULL,
    "id_emission_factor" INTEGER NOT NULL,
    "value" DECIMAL NOT NULL,
    "total" DECIMAL NOT NULL,
    "uncertainty" DECIMAL NOT NULL DEFAULT 0,
    "label" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "session_emissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_students" (
    "id" UUID NOT NULL,
    "id_school" UUID NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "year" INTEGER NOT NULL DEFAULT date_part('year'::text, CURRENT_DATE),
    "progress" INTEGER NOT NULL DEFAULT 0,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "locked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "session_students_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "emission_categories" ADD CONSTRAINT "emission_categories_id_language_fkey" FOREIGN KEY ("id_language") REFERENCES "languages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emission_sub_categories" ADD CONSTRAINT "emission_sub_categories_id_emission_category_fkey" FOREIGN KEY ("id_emission_category") REFERENCES "emission_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emission_sub_categories" ADD CONSTRAINT "emission_sub_categories_id_language_fkey" FOREIGN KEY ("id_language") REFERENCES "languages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emission_factors" ADD CONSTRAINT "emission_factors_id_emission_sub_category_fkey" FOREIGN KEY ("id_emission_sub_category") REFERENCES "emission_sub_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emission_factors" ADD CONSTRAINT "emission_factors_id_language_fkey" FOREIGN KEY ("id_language") REFERENCES "languages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "groups" ADD CONSTRAINT "groups_id_school_fkey" FOREIGN KEY ("id_school") REFERENCES "schools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "groups" ADD CONSTRAINT "groups_id_session_student_fkey" FOREIGN KEY ("id_session_student") REFERENCES "session_students"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "school_admins" ADD CONSTRAINT "school_admins_school_id_fkey" FOREIGN KEY ("school_id") REFERENCES "schools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_id_emission_sub_category_fkey" FOREIGN KEY ("id_emission_sub_category") REFERENCES "session_emission_sub_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_emission_categories" ADD CONSTRAINT "session_emission_categories_id_emission_category_fkey" FOREIGN KEY ("id_emission_category") REFERENCES "emission_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_emission_categories" ADD CONSTRAINT "session_emission_categories_id_session_student_fkey" FOREIGN KEY ("id_session_student") REFERENCES "session_students"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_emission_sub_categories" ADD CONSTRAINT "session_emission_sub_categories_id_session_emission_catego_fkey" FOREIGN KEY ("id_session_emission_category") REFERENCES "session_emission_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_emission_sub_categories" ADD CONSTRAINT "session_emission_sub_categories_id_emission_sub_category_fkey" FOREIGN KEY ("id_emission_sub_category") REFERENCES "emission_sub_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_emissions" ADD CONSTRAINT "session_emissions_id_emission_factor_fkey" FOREIGN KEY ("id_emission_factor") REFERENCES "emission_factors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_emissions" ADD CONSTRAINT "session_emissions_id_session_emission_sub_category_fkey" FOREIGN KEY ("id_session_emission_sub_category") REFERENCES "session_emission_sub_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_students" ADD CONSTRAINT "session_students_id_school_fkey" FOREIGN KEY ("id_school") REFERENCES "schools"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
