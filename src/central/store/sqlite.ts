import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { kyselyStore } from './kysely-store.js';
import type { CentralDatabase } from './schema.js';
import type { CentralStore } from './types.js';

/**
 * The embedded default: one SQLite file in WAL mode (readers never wait for the writer), foreign
 * keys on, and a busy timeout so a second process waits for a lock instead of failing.
 */
export const openSqliteStore = async (file: string): Promise<CentralStore> => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<CentralDatabase>({ dialect: new SqliteDialect({ database }) });
  try {
    return await kyselyStore(db, 'sqlite', () => db.destroy());
  } catch (error) {
    await db.destroy();
    throw error;
  }
};
