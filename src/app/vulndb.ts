import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { dbStatusReport, type DbMatchReport, type DbStatusReport } from '../report/vulndb/index.js';
import { DEFAULT_ECOSYSTEMS, ECOSYSTEMS, matchPackage, packageFromPurl, PurlError } from '../vulndb/index.js';
import { DEFAULT_MIRROR, DownloadError, importIntoDatabase, updateDatabase, type UpdateReport } from '../vulndb/sources/index.js';
import { DATABASE_FILE, DatabaseError, VulnerabilityDatabase, type ImportTally } from '../vulndb/store/index.js';
import { ConfigurationError, KnownError } from './errors.js';

/** Where the vulnerability database lives: the caller's choice, $KUBEWARD_DB, else $XDG_DATA_HOME/kubeward/db. */
export const databaseDirectory = (chosen: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string => {
  const directory = chosen ?? env.KUBEWARD_DB;
  if (directory) return resolve(cwd, directory);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'kubeward', 'db');
};

/** The database layer's expected failures as one-line errors with a hint. */
const known = async <T>(work: () => Promise<T> | T): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseError) throw new KnownError(error.message, error.hint);
    if (error instanceof DownloadError)
      throw new KnownError(`${error.message}; the database was not changed`, 'check the network or --mirror, then run the update again');
    throw error;
  }
};

/**
 * Opens the database of a directory for matching. A missing or unusable one is a KnownError
 * whose hint says how to get one and, when the job can run without it, how (`without`).
 */
export const openVulnDb = (directory: string, without?: string): VulnerabilityDatabase => {
  try {
    return VulnerabilityDatabase.open(join(directory, DATABASE_FILE));
  } catch (error) {
    if (error instanceof DatabaseError) throw new KnownError(error.message, [error.hint, without].filter(Boolean).join('; ') || undefined);
    throw error;
  }
};

export interface UpdateVulnDbOptions {
  readonly directory: string;
  /** An OSV mirror; $KUBEWARD_OSV_MIRROR, else osv.dev's bucket. */
  readonly mirror?: string | undefined;
  /** None: the default ecosystems. Named ones must be on the mirror. */
  readonly ecosystems: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly retries: number;
  readonly timeoutSeconds: number;
  readonly now: () => Date;
  readonly progress?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** Checked before anything is downloaded, so a typo costs nothing. */
export const updatePlan = (
  options: Pick<UpdateVulnDbOptions, 'directory' | 'mirror' | 'ecosystems' | 'env'>,
): { readonly file: string; readonly mirror: string; readonly ecosystems: readonly string[] } => {
  const unknown = options.ecosystems.filter((name) => !ECOSYSTEMS.has(name));
  if (unknown.length > 0)
    throw new ConfigurationError(`unknown ecosystem ${unknown.map((name) => JSON.stringify(name)).join(', ')}`, `known: ${[...ECOSYSTEMS.keys()].join(', ')}`);
  return {
    file: join(options.directory, DATABASE_FILE),
    mirror: options.mirror ?? options.env.KUBEWARD_OSV_MIRROR ?? DEFAULT_MIRROR,
    ecosystems: options.ecosystems.length > 0 ? options.ecosystems : DEFAULT_ECOSYSTEMS,
  };
};

/** `db update`: downloads OSV data per ecosystem and swaps in a new database; an interrupted or failed update changes nothing. */
export const updateVulnDb = async (options: UpdateVulnDbOptions): Promise<UpdateReport & { readonly bytes: number }> => {
  const { mirror, ecosystems } = updatePlan(options);
  const report = await known(() =>
    updateDatabase({
      directory: options.directory,
      mirror,
      ecosystems,
      explicit: options.ecosystems.length > 0,
      download: { attempts: options.retries + 1, timeoutMs: options.timeoutSeconds * 1000 },
      now: options.now,
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  return { ...report, bytes: statSync(report.database).size };
};

export interface ImportVulnDbOptions {
  readonly directory: string;
  readonly cwd: string;
  /** OSV zips, JSON files or directories. */
  readonly paths: readonly string[];
  /** CISA's Known Exploited Vulnerabilities catalogue (JSON). */
  readonly kev?: string | undefined;
  /** FIRST's EPSS scores (CSV, gzipped or not). */
  readonly epss?: string | undefined;
  readonly now: () => Date;
  readonly progress?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** `db import`: local files into a copy of the database, swapped in; a source that cannot be read is a failed tally, the rest still land. */
export const importVulnDb = async (options: ImportVulnDbOptions): Promise<{ database: string; tallies: ImportTally[]; bytes: number }> => {
  const local = (path: string) => ({ path: resolve(options.cwd, path), display: path });
  const { database, tallies } = await known(() =>
    importIntoDatabase({
      directory: options.directory,
      paths: options.paths.map(local),
      ...(options.kev ? { kev: local(options.kev) } : {}),
      ...(options.epss ? { epss: local(options.epss) } : {}),
      now: options.now,
      options: options.progress ? { progress: options.progress } : {},
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  return { database, tallies, bytes: statSync(database).size };
};

/** `db status`: what the database of a directory holds. */
export const vulnDbStatus = (directory: string): DbStatusReport => {
  const database = openVulnDb(directory);
  try {
    return dbStatusReport(database.status(statSync(database.path).size));
  } finally {
    database.close();
  }
};

/** `db match`: the known vulnerabilities of packages named by Package URL. */
export const matchPurls = (directory: string, purls: readonly string[]): DbMatchReport => {
  const database = openVulnDb(directory);
  try {
    return purls.map((purl) => {
      let pkg;
      try {
        pkg = packageFromPurl(purl);
      } catch (error) {
        if (!(error instanceof PurlError)) throw error;
        return { purl, error: error.message };
      }
      return { purl, ...matchPackage(pkg, database) };
    });
  } finally {
    database.close();
  }
};
