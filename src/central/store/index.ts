/** Central's storage: one interface, SQLite (embedded default) and PostgreSQL behind it. */
export { openSqliteStore } from './sqlite.js';
export { openPostgresStore, type PostgresOptions } from './postgres.js';
export { timeOrderedId } from './ids.js';
export { StoreError } from './errors.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export * from './types.js';
export { POLICY_SEEDER } from './policies.js';
