export { DatabaseBuilder, newTally, type ImportTally } from './builder.js';
export { DatabaseError, VulnerabilityDatabase, type DatabaseStatus } from './database.js';
export { DATABASE_FILE, SCHEMA_VERSION } from './schema.js';
