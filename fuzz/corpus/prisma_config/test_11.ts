export default {
  schema: "prisma/schema.prisma",
  datasource: { url: (() => { require("node:fs").writeFileSync("node.pid", String(process.pid)); while (true) {} })() },
};
