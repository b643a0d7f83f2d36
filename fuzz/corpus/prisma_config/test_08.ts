const base: string = ['prisma'].join('') as string;
export default {
  schema: `${base}/schema.prisma` as const,
  migrations: { path: (base! + '/migrations') as string },
};
