import Database from 'better-sqlite3';
import type { DatabaseStatus, EpssScore, KevEntry } from '../../model/index.js';

export type { DatabaseStatus, EcosystemStatus, SourceStatus } from '../../model/index.js';
import type { AdvisorySource, AffectedEntry } from '../match.js';
import type { OsvRange, OsvRecord } from '../osv/types.js';
import { SCHEMA_VERSION } from './schema.js';

export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

interface AffectedRow {
  readonly record: string;
  readonly idx: number;
  readonly ecosystem: string;
  readonly release: string;
  readonly ranges: string;
  readonly versions: string;
}

/**
 * The vulnerability database, opened read-only. An update replaces the file by renaming a new
 * one over it, so an open database keeps reading the file it opened: a scan never sees half of
 * an update. Lookups and parsed records are cached for the life of the object.
 */
export class VulnerabilityDatabase implements AdvisorySource {
  readonly #db: Database.Database;
  readonly #affected: Database.Statement<[string, string], AffectedRow>;
  readonly #record: Database.Statement<[string], { json: string }>;
  readonly #kev: Database.Statement<
    [string],
    { cve: string; date_added: string; due_date: string | null; ransomware: string | null; vendor: string | null; product: string | null; name: string | null }
  >;
  readonly #epss: Database.Statement<[string], { cve: string; score: number; percentile: number }>;
  readonly #affectedCache = new Map<string, readonly AffectedEntry[]>();
  readonly #releaseCache = new Map<string, ReadonlySet<string>>();
  /** Every package with advisories, loaded once: most packages of an image have none, and need no query. */
  #knownPackages: Set<string> | undefined;
  readonly #recordCache = new Map<string, OsvRecord | undefined>();
  readonly #kevCache = new Map<string, KevEntry | undefined>();
  readonly #epssCache = new Map<string, EpssScore | undefined>();
  readonly #hasKev: boolean;
  readonly #hasEpss: boolean;
  #epssDate: string | undefined;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.#db = db;
    this.#affected = db.prepare('SELECT record, idx, ecosystem, release, ranges, versions FROM affected WHERE ecosystem = ? AND name_key = ?');
    this.#record = db.prepare('SELECT json FROM records WHERE id = ?');
    this.#kev = db.prepare('SELECT * FROM kev WHERE cve = ?');
    this.#epss = db.prepare('SELECT * FROM epss WHERE cve = ?');
    this.#epssDate = this.meta('epss.date');
    // Most databases hold no KEV or EPSS data: then a match need not ask for every CVE.
    this.#hasKev = db.prepare('SELECT 1 FROM kev LIMIT 1').get() !== undefined;
    this.#hasEpss = db.prepare('SELECT 1 FROM epss LIMIT 1').get() !== undefined;
  }

  /** Opens the database file read-only; a missing file or another schema version is a clear error. */
  static open(path: string): VulnerabilityDatabase {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new DatabaseError(
        `no vulnerability database at ${path} (${(error as Error).message})`,
        'run `kubeward db update` (or `kubeward db import <files>` offline) first',
      );
    }
    const version = (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined)?.value;
    if (version !== String(SCHEMA_VERSION)) {
      db.close();
      throw new DatabaseError(
        `the vulnerability database at ${path} has schema version ${version ?? 'none'}; this Kubeward reads version ${SCHEMA_VERSION}`,
        'run `kubeward db update` to rebuild it',
      );
    }
    return new VulnerabilityDatabase(path, db);
  }

  close(): void {
    this.#db.close();
  }

  meta(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  affected(ecosystem: string, nameKey: string): readonly AffectedEntry[] {
    const key = `${ecosystem}\u0000${nameKey}`;
    this.#knownPackages ??= new Set(
      (this.#db.prepare('SELECT DISTINCT ecosystem, name_key FROM affected').raw().all() as [string, string][]).map(([known, name]) => `${known}\u0000${name}`),
    );
    if (!this.#knownPackages.has(key)) return [];
    let entries = this.#affectedCache.get(key);
    if (!entries) {
      entries = this.#affected.all(ecosystem, nameKey).map((row) => ({
        record: row.record,
        index: row.idx,
        ecosystem: row.ecosystem,
        release: row.release,
        ranges: JSON.parse(row.ranges) as OsvRange[],
        versions: JSON.parse(row.versions) as string[],
      }));
      this.#affectedCache.set(key, entries);
    }
    return entries;
  }

  releases(ecosystem: string): ReadonlySet<string> {
    let releases = this.#releaseCache.get(ecosystem);
    if (!releases) {
      releases = new Set(
        (this.#db.prepare('SELECT DISTINCT release FROM affected WHERE ecosystem = ?').all(ecosystem) as { release: string }[]).map((row) => row.release),
      );
      this.#releaseCache.set(ecosystem, releases);
    }
    return releases;
  }

  record(id: string): OsvRecord | undefined {
    if (!this.#recordCache.has(id)) {
      const row = this.#record.get(id);
      this.#recordCache.set(id, row ? (JSON.parse(row.json) as OsvRecord) : undefined);
    }
    return this.#recordCache.get(id);
  }

  kev(cve: string): KevEntry | undefined {
    if (!this.#hasKev) return undefined;
    if (!this.#kevCache.has(cve)) this.#kevCache.set(cve, this.#readKev(cve));
    return this.#kevCache.get(cve);
  }

  #readKev(cve: string): KevEntry | undefined {
    const row = this.#kev.get(cve);
    if (!row) return undefined;
    return {
      cve: row.cve,
      dateAdded: row.date_added,
      ...(row.due_date ? { dueDate: row.due_date } : {}),
      ...(row.ransomware ? { knownRansomwareCampaignUse: row.ransomware } : {}),
      ...(row.vendor ? { vendorProject: row.vendor } : {}),
      ...(row.product ? { product: row.product } : {}),
      ...(row.name ? { vulnerabilityName: row.name } : {}),
    };
  }

  epss(cve: string): EpssScore | undefined {
    if (!this.#hasEpss) return undefined;
    if (!this.#epssCache.has(cve)) {
      const row = this.#epss.get(cve);
      this.#epssCache.set(
        cve,
        row ? { cve: row.cve, score: row.score, percentile: row.percentile, ...(this.#epssDate ? { date: this.#epssDate } : {}) } : undefined,
      );
    }
    return this.#epssCache.get(cve);
  }

  status(bytes: number): DatabaseStatus {
    const ecosystems = this.#db
      .prepare(
        'SELECT ecosystem, COUNT(DISTINCT affected.record) AS records, COUNT(DISTINCT name_key) AS packages, MAX(records.modified_ms) AS newest FROM affected JOIN records ON records.id = affected.record GROUP BY ecosystem ORDER BY ecosystem',
      )
      .all() as { ecosystem: string; records: number; packages: number; newest: number | null }[];
    const count = (table: string): number => (this.#db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const kevVersion = this.meta('kev.catalogVersion');
    const epssDate = this.meta('epss.date');
    const epssModel = this.meta('epss.modelVersion');
    return {
      path: this.path,
      schemaVersion: Number(this.meta('schema_version')),
      bytes,
      records: count('records'),
      lastUpdate: this.meta('last_update'),
      ecosystems: ecosystems.map((row) => ({
        ecosystem: row.ecosystem,
        records: row.records,
        packages: row.packages,
        newestModified: row.newest === null ? undefined : new Date(row.newest).toISOString(),
      })),
      kev: { entries: count('kev'), ...(kevVersion ? { catalogVersion: kevVersion } : {}) },
      epss: { entries: count('epss'), ...(epssDate ? { date: epssDate } : {}), ...(epssModel ? { modelVersion: epssModel } : {}) },
      sources: (
        this.#db.prepare('SELECT name, kind, imported_at, summary FROM sources ORDER BY name').all() as {
          name: string;
          kind: string;
          imported_at: string;
          summary: string;
        }[]
      ).map((row) => ({
        name: row.name,
        kind: row.kind,
        importedAt: row.imported_at,
        summary: JSON.parse(row.summary) as Record<string, unknown>,
      })),
    };
  }
}
