export default {
  schema: ['prisma', 'schema.prisma'].join('/'),
  migrations: { path: `${'x'}/migrations` },
};
