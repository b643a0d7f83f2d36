export default { schema: process.env.SCHEMA! ?? 'db.prisma' };
