/**
 * Central: the standing server. It keeps every cluster's state over time in a store (SQLite or
 * PostgreSQL), takes in snapshots, and serves the API.
 */
export { startCentral, type CentralStorage, type RunningCentral, type StartCentralOptions } from './serve.js';
export { ingestSnapshot, type IngestReport, type IngestSnapshotOptions } from './ingest.js';
export { parseWorkloadKey, violationKey, violationStates, workloadKey, workloadStates } from './states.js';
export { buildApi, hashSecret, type ApiOptions } from './api/index.js';
export { openPostgresStore, openSqliteStore, SCHEMA_VERSION, StoreError, type CentralStore } from './store/index.js';
