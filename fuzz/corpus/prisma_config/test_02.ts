import path from 'node:path'
import type { PrismaConfig } from 'prisma'
const migrations = path.join('db', 'migrations')
export default {
  schema: path.join(__dirname, 'db', 'schema'),
  migrations: { path: migrations, seed: `tsx db/seed.ts` },
  datasource: {
    url: process.env.UNSET_URL || process.env["SQLITE_URL"],
    shadowDatabaseUrl: process.env.UNSET_URL ?? undefined,
  },
  adapter: async () => new PrismaPg({ connectionString: x }),
} satisfies PrismaConfig
