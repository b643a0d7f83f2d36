import path from 'node:path'
import type { PrismaConfig } from 'prisma'
const schemaPath: string = path.join('prisma', 'schema.prisma')
export default {
  earlyAccess: true,
  schema: schemaPath,
  migrate: {
    async adapter(env) {
      return new PrismaPg({ connectionString: env.DATABASE_URL })
    },
  },
} satisfies PrismaConfig
