import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { withCopy } from './copy.js';
import { kyselyStore } from './kysely-store.js';
import type { CentralDatabase } from './schema.js';
import type { CentralStore } from './types.js';

export interface PostgresOptions {
  /** Connections in the pool. */
  readonly maxConnections?: number | undefined;
  /** A query waiting longer than this for a connection fails (and the API answers 503). */
  readonly connectTimeoutMs?: number;
}

/**
 * PostgreSQL, for scale and for several server replicas: a connection pool that survives the
 * server restarting (a broken connection is dropped and the next query opens a new one).
 * Migrations run under Kysely's lock, so replicas starting together migrate once.
 */
export const openPostgresStore = async (url: string, options: PostgresOptions = {}): Promise<CentralStore> => {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
  // An idle connection the server closed emits an error on the pool: without a listener it would end the process.
  pool.on('error', () => undefined);
  // So does a connection in use when the server goes: its query fails (and the API answers 503), the process stays.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    withCopy(client);
  });
  const db = new Kysely<CentralDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await kyselyStore(db, 'postgres', () => db.destroy());
  } catch (error) {
    await db.destroy();
    throw error;
  }
};
