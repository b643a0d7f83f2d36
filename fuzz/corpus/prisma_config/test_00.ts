{location}: the Prisma config file has no `export default` (or `module.exports =`)
Export the config, e.g. `export default defineConfig({{ schema: "prisma/schema.prisma" }})`.