import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KevEntry } from '../../model/index.js';
import { acceptRecord, type RecordProblemCode } from '../osv/validate.js';
import { DatabaseError } from './database.js';
import { DATABASE_FILE, SCHEMA, SCHEMA_VERSION } from './schema.js';

export type SourceProblemCode = RecordProblemCode | 'corrupt-zip' | 'unsafe-path' | 'too-large' | 'unreadable' | 'download-failed' | 'not-found';

/** What one source (a zip, a directory, a file, a download) brought, as `db import` and `db status` report it. */
export interface ImportTally {
  readonly source: string;
  /** Records read (whatever became of them). */
  records: number;
  inserted: number;
  updated: number;
  /** Already present with the same or a newer `modified`: re-importing changes nothing. */
  unchanged: number;
  /** Withdrawn records (removed if an older version was stored). */
  withdrawn: number;
  /** Records with no entry in an ecosystem Kubeward matches. */
  skipped: number;
  readonly problems: Partial<Record<SourceProblemCode, number>>;
  /** The first few problems in words. */
  readonly examples: string[];
  /** Set when the source could not be read at all. */
  failed?: string;
}

export const newTally = (source: string): ImportTally => ({
  source,
  records: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  withdrawn: 0,
  skipped: 0,
  problems: {},
  examples: [],
});

export const countProblem = (tally: ImportTally, code: SourceProblemCode, message: string): void => {
  tally.problems[code] = (tally.problems[code] ?? 0) + 1;
  if (tally.examples.length < 10) tally.examples.push(message);
};

const LOCK_FILE = 'update.lock';

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the directory's update lock, clearing one left by a process that died. */
const acquireLock = (directory: string): string => {
  const lock = join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
        throw new DatabaseError(
          `another update of ${directory} is running (process ${holder})`,
          `wait for it, or remove ${lock} if that process is not Kubeward`,
        );
      }
      rmSync(lock, { force: true });
    }
  }
  throw new DatabaseError(`cannot lock ${directory} for an update`);
};

const isCurrentDatabase = (path: string): boolean => {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value === String(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
};

/**
 * Builds the next version of the database beside the current one and swaps it in with one
 * rename: readers never see a half-written file, and a failed or interrupted update leaves the
 * previous database as it was (the temporary file is removed, or ignored if the process died).
 * Starts from a copy of the current database, so imports add to what is there.
 */
export class DatabaseBuilder {
  readonly #db: Database.Database;
  readonly #target: string;
  readonly #temporary: string;
  readonly #lock: string;
  readonly #statements;
  #finished = false;

  private constructor(target: string, temporary: string, lock: string, db: Database.Database) {
    this.#target = target;
    this.#temporary = temporary;
    this.#lock = lock;
    this.#db = db;
    this.#statements = {
      existing: db.prepare<[string], { modified_ms: number }>('SELECT modified_ms FROM records WHERE id = ?'),
      deleteRecord: db.prepare<[string]>('DELETE FROM records WHERE id = ?'),
      deleteAffected: db.prepare<[string]>('DELETE FROM affected WHERE record = ?'),
      upsertRecord: db.prepare<[string, string, number, string | null, string, string]>(
        'INSERT INTO records (id, modified, modified_ms, published, source, json) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, modified_ms = excluded.modified_ms, published = excluded.published, source = excluded.source, json = excluded.json',
      ),
      insertAffected: db.prepare<[string, number, string, string, string, string, string, string]>(
        'INSERT INTO affected (record, idx, ecosystem, release, name, name_key, ranges, versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      setSource: db.prepare<[string, string, string, string]>(
        'INSERT INTO sources (name, kind, imported_at, summary) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, imported_at = excluded.imported_at, summary = excluded.summary',
      ),
    };
  }

  /** Locks `directory`, and opens a copy of its database (or a new one) to write. */
  static begin(directory: string): DatabaseBuilder {
    mkdirSync(directory, { recursive: true });
    const lock = acquireLock(directory);
    try {
      const target = join(directory, DATABASE_FILE);
      const temporary = join(directory, `${DATABASE_FILE}.${process.pid}.tmp`);
      // Files of updates whose process died (killed, out of memory) are of no use to anyone.
      for (const name of readdirSync(directory)) {
        const owner = new RegExp(`^${DATABASE_FILE.replace('.', '\\.')}\\.(\\d+)\\.tmp(?:-journal|-wal|-shm)?$`).exec(name)?.[1];
        if (owner !== undefined && (Number(owner) === process.pid || !processAlive(Number(owner)))) rmSync(join(directory, name), { force: true });
      }
      const reuse = existsSync(target) && isCurrentDatabase(target);
      if (reuse) copyFileSync(target, temporary);
      const db = new Database(temporary);
      // The file is private until the rename: no journal or syncing needed while it is written.
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      if (!reuse) {
        db.exec(SCHEMA);
        db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
      }
      db.exec('BEGIN');
      return new DatabaseBuilder(target, temporary, lock, db);
    } catch (error) {
      rmSync(lock, { force: true });
      throw error;
    }
  }

  /** Imports one OSV record from its JSON text; `where` names it in problems (zip entry, file). */
  importRecord(text: string, where: string, tally: ImportTally): void {
    tally.records++;
    let value: unknown;
    try {
      value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
      countProblem(tally, 'invalid-json', `${where}: ${(error as Error).message}`);
      return;
    }
    const accepted = acceptRecord(value, where);
    if ('code' in accepted) {
      countProblem(tally, accepted.code, `${accepted.where}: ${accepted.message}`);
      return;
    }
    for (const problem of accepted.problems) countProblem(tally, problem.code, `${problem.where}: ${problem.message}`);
    const { record, entries } = accepted;
    const modified = Date.parse(record.modified);
    const existing = this.#statements.existing.get(record.id);
    if (record.withdrawn !== undefined) {
      tally.withdrawn++;
      if (existing && existing.modified_ms <= modified) {
        this.#statements.deleteAffected.run(record.id);
        this.#statements.deleteRecord.run(record.id);
      }
      return;
    }
    if (existing && existing.modified_ms >= modified) {
      tally.unchanged++;
      return;
    }
    if (entries.length === 0) {
      tally.skipped++;
      return;
    }
    this.#statements.deleteAffected.run(record.id);
    this.#statements.upsertRecord.run(record.id, record.modified, modified, record.published ?? null, tally.source, text);
    for (const entry of entries) {
      this.#statements.insertAffected.run(
        record.id,
        entry.index,
        entry.ecosystem,
        entry.release,
        entry.name,
        entry.nameKey,
        JSON.stringify(entry.ranges),
        JSON.stringify(entry.versions),
      );
    }
    if (existing) tally.updated++;
    else tally.inserted++;
  }

  /** Replaces the KEV catalogue (it is published whole). */
  replaceKev(entries: readonly KevEntry[], catalogVersion: string | undefined): void {
    this.#db.exec('DELETE FROM kev');
    const insert = this.#db.prepare('INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware, vendor, product, name) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const entry of entries) {
      insert.run(
        entry.cve,
        entry.dateAdded,
        entry.dueDate ?? null,
        entry.knownRansomwareCampaignUse ?? null,
        entry.vendorProject ?? null,
        entry.product ?? null,
        entry.vulnerabilityName ?? null,
      );
    }
    this.#db.prepare("DELETE FROM meta WHERE key = 'kev.catalogVersion'").run();
    if (catalogVersion) this.setMeta('kev.catalogVersion', catalogVersion);
  }

  /** Replaces the EPSS scores (a daily file holds every CVE). */
  replaceEpss(rows: Iterable<{ cve: string; score: number; percentile: number }>, meta: { date?: string; modelVersion?: string }): number {
    this.#db.exec('DELETE FROM epss');
    const insert = this.#db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)');
    let count = 0;
    for (const row of rows) {
      insert.run(row.cve, row.score, row.percentile);
      count++;
    }
    // The old file's date and model no longer describe the scores.
    this.#db.prepare("DELETE FROM meta WHERE key IN ('epss.date', 'epss.modelVersion')").run();
    if (meta.date) this.setMeta('epss.date', meta.date);
    if (meta.modelVersion) this.setMeta('epss.modelVersion', meta.modelVersion);
    return count;
  }

  setMeta(key: string, value: string): void {
    this.#statements.setMeta.run(key, value);
  }

  meta(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  recordSource(tally: ImportTally, kind: string, at: Date): void {
    const { source, ...summary } = tally;
    this.#statements.setSource.run(source, kind, at.toISOString(), JSON.stringify(summary));
  }

  /** Writes the new database and renames it over the old one. */
  commit(at: Date): void {
    this.#finish(() => {
      this.setMeta('last_update', at.toISOString());
      this.#db.exec('COMMIT');
      this.#db.exec('ANALYZE');
      this.#db.close();
      const descriptor = openSync(this.#temporary, 'r');
      try {
        fsyncSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
      renameSync(this.#temporary, this.#target);
    });
  }

  /** Throws the new file away; the current database stays as it was. */
  abort(): void {
    this.#finish(() => {
      if (this.#db.open) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        this.#db.close();
      }
    });
  }

  #finish(work: () => void): void {
    if (this.#finished) return;
    this.#finished = true;
    try {
      work();
    } finally {
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${this.#temporary}${suffix}`, { force: true });
      rmSync(this.#lock, { force: true });
    }
  }
}
