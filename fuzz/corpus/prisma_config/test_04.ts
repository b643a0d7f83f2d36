const { defineConfig } = require('prisma/config');
const path = require('path');
module.exports = defineConfig({ schema: path.resolve(__dirname, 'db', '..', 'db', 'schema') });
