import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { kyselyStore } from './kysely-store.js';
import type { CentralDatabase } from './schema.js';
import type { CentralStore } from './types.js';

/**
 * Kysely prepares every query anew; a request's queries are the same few texts with other
 * parameters, so their statements are kept (bounded: texts with long IN lists vary).
 */
const withStatementCache = (database: Database.Database, size = 256) => {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => void database.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= size) statements.clear();
        statement = database.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
};

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
  // 64 MiB of pages in the process (the default is 2 MiB): a 100,000-violation store's hot indexes stay in it.
  database.pragma('cache_size = -65536');
  const db = new Kysely<CentralDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  try {
    return await kyselyStore(db, 'sqlite', () => db.destroy());
  } catch (error) {
    await db.destroy();
    throw error;
  }
};
