//! Generates large schemas: models with scalar fields, indexes, an enum, a self-contained ring of
//! named one-to-many relations and implicit many-to-many relations.

use std::fmt::Write;

pub(crate) fn schema_with_models(count: usize) -> String {
    let tags = count.div_ceil(10);
    let mut out = String::from(
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nenum Status {\n  ACTIVE\n  INACTIVE\n}\n\n",
    );
    for i in 0..count {
        let next = (i + 1) % count;
        let previous = (i + count - 1) % count;
        let _ = write!(
            out,
            "/// Model {i}\nmodel M{i} {{\n  id        Int      @id @default(autoincrement())\n  name      String   @unique @db.VarChar(200)\n  email     String?  @map(\"email_address\")\n  createdAt DateTime @default(now())\n  updatedAt DateTime @updatedAt\n  status    Status   @default(ACTIVE)\n  score     Float    @default(0)\n  parentId  Int?\n  parent    M{next}?  @relation(\"R{i}\", fields: [parentId], references: [id], onDelete: Cascade)\n  children  M{previous}[] @relation(\"R{previous}\")\n  tags      T{}[]\n\n  @@index([createdAt, status])\n  @@unique([name, email])\n  @@map(\"m_{i}\")\n}}\n\n",
            i % tags
        );
    }
    for t in 0..tags {
        let _ = writeln!(out, "model T{t} {{\n  id Int @id");
        for m in (t..count).step_by(tags) {
            let _ = writeln!(out, "  m{m} M{m}[]");
        }
        out.push_str("}\n\n");
    }
    out
}
