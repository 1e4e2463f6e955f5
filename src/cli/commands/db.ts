import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { vulnerabilitySeverityRank, type VulnerabilityMatch } from '../../model/index.js';
import { DEFAULT_ECOSYSTEMS, ECOSYSTEMS, matchPackage, packageFromPurl, PurlError, type MatchProblem } from '../../vulndb/index.js';
import { DEFAULT_MIRROR, DownloadError } from '../../vulndb/sources/download.js';
import { DATABASE_FILE, DatabaseError, VulnerabilityDatabase, type DatabaseStatus, type ImportTally } from '../../vulndb/store/index.js';
import { importIntoDatabase, updateDatabase } from '../../vulndb/update.js';
import { EXIT, KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { databaseDirectory as databaseLocation } from '../../app/index.js';

/**
 * Where the database lives: `--db`, else `$KUBEWARD_DB`, else `$XDG_DATA_HOME/kubeward/db`
 * (`~/.local/share/kubeward/db`). Each names a directory holding `vulndb.sqlite`.
 */
const databaseDirectory = (flag: string | undefined, io: Io): string => databaseLocation(flag, io.env, io.cwd);

/**
 * Ctrl-C (or SIGTERM) during an update or import: stop cleanly, so the half-built file and the
 * lock are removed and the database stays as it was, rather than dying mid-write.
 */
const withInterrupts = async <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
};

/** Turns the database layer's expected failures into one-line CLI errors with a hint. */
const known = async <T>(work: () => Promise<T> | T): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseError) throw new KnownError(error.message, error.hint);
    if (error instanceof DownloadError) throw new KnownError(`${error.message}; the database was not changed`, 'check the network or --mirror, then run the update again');
    throw error;
  }
};

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const tallyLine = (tally: ImportTally): string => {
  if (tally.failed) return `${tally.source}: FAILED: ${tally.failed}`;
  const problems = Object.entries(tally.problems).map(([code, count]) => `${count} ${code}`);
  return `${tally.source}: ${tally.records} read, ${tally.inserted} new, ${tally.updated} updated, ${tally.unchanged} unchanged, ${tally.withdrawn} withdrawn${tally.skipped ? `, ${tally.skipped} skipped` : ''}${problems.length ? `; problems: ${problems.join(', ')}` : ''}`;
};

const reportTallies = (tallies: readonly ImportTally[], io: Io, verbose: boolean): void => {
  for (const tally of tallies) {
    io.stderr(`  ${tallyLine(tally)}\n`);
    if (verbose) for (const example of tally.examples) io.stderr(`    ${example}\n`);
    else if (tally.examples.length > 0 && Object.keys(tally.problems).length > 0) io.stderr(`    e.g. ${tally.examples[0]}\n`);
  }
};

export interface DbUpdateOptions {
  readonly db?: string;
  readonly mirror?: string;
  readonly ecosystem: readonly string[];
  readonly retries?: string;
  readonly timeout?: string;
  readonly verbose?: boolean;
}

const positiveInteger = (value: string | undefined, flag: string, fallback: number): number => {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`${flag} must be a whole number, not ${JSON.stringify(value)}`);
  return parsed;
};

/** `kubeward db update`: download OSV data per ecosystem and swap in a new database. */
export const runDbUpdate = async (options: DbUpdateOptions, io: Io): Promise<number> => {
  const directory = databaseDirectory(options.db, io);
  const unknown = options.ecosystem.filter((name) => !ECOSYSTEMS.has(name));
  if (unknown.length > 0) throw new UsageError(`unknown ecosystem ${unknown.map((name) => JSON.stringify(name)).join(', ')}`, `known: ${[...ECOSYSTEMS.keys()].join(', ')}`);
  const ecosystems = options.ecosystem.length > 0 ? options.ecosystem : DEFAULT_ECOSYSTEMS;
  const mirror = options.mirror ?? io.env.KUBEWARD_OSV_MIRROR ?? DEFAULT_MIRROR;
  const started = performance.now();
  io.stderr(`kubeward: updating ${join(directory, DATABASE_FILE)} from ${mirror} (${ecosystems.join(', ')})\n`);
  const report = await known(() =>
    withInterrupts((signal) => updateDatabase({
      signal,
      directory,
      mirror,
      ecosystems,
      explicit: options.ecosystem.length > 0,
      download: { attempts: positiveInteger(options.retries, '--retries', 3) + 1, timeoutMs: positiveInteger(options.timeout, '--timeout', 600) * 1000 },
      now: io.now,
      progress: (message) => io.stderr(`kubeward: ${message}\n`),
    })),
  );
  reportTallies(report.tallies, io, options.verbose === true);
  const size = statSync(report.database).size;
  io.stderr(
    `kubeward: database updated in ${((performance.now() - started) / 1000).toFixed(1)}s: ${report.database} (${megabytes(size)})` +
      `${report.unchanged.length ? `; unchanged: ${report.unchanged.join(', ')}` : ''}${report.missing.length ? `; not on the mirror: ${report.missing.join(', ')}` : ''}\n`,
  );
  return EXIT.clean;
};

export interface DbImportOptions {
  readonly db?: string;
  readonly kev?: string;
  readonly epss?: string;
  readonly verbose?: boolean;
}

/** `kubeward db import`: OSV zips, JSON files or directories, KEV and EPSS files, offline. */
export const runDbImport = async (paths: readonly string[], options: DbImportOptions, io: Io): Promise<number> => {
  if (paths.length === 0 && !options.kev && !options.epss) throw new UsageError('nothing to import: give OSV zips, JSON files or directories, --kev or --epss', 'kubeward db import osv/npm/all.zip --kev known_exploited_vulnerabilities.json');
  const directory = databaseDirectory(options.db, io);
  const local = (path: string) => ({ path: resolve(io.cwd, path), display: path });
  const { database, tallies } = await known(() =>
    withInterrupts((signal) => importIntoDatabase({
      signal,
      directory,
      paths: paths.map(local),
      ...(options.kev ? { kev: local(options.kev) } : {}),
      ...(options.epss ? { epss: local(options.epss) } : {}),
      now: io.now,
      options: { progress: (message) => io.stderr(`kubeward: ${message}\n`) },
    })),
  );
  reportTallies(tallies, io, options.verbose === true);
  const failed = tallies.filter((tally) => tally.failed);
  io.stderr(`kubeward: imported into ${database} (${megabytes(statSync(database).size)})${failed.length ? `; ${failed.length} source${failed.length === 1 ? '' : 's'} could not be read` : ''}\n`);
  return failed.length > 0 ? EXIT.error : EXIT.clean;
};

const openDatabase = (flag: string | undefined, io: Io): VulnerabilityDatabase => {
  const directory = databaseDirectory(flag, io);
  try {
    return VulnerabilityDatabase.open(join(directory, DATABASE_FILE));
  } catch (error) {
    if (error instanceof DatabaseError) throw new KnownError(error.message, error.hint);
    throw error;
  }
};

const renderStatus = (status: DatabaseStatus): string => {
  const lines = [
    `database:       ${status.path} (${megabytes(status.bytes)})`,
    `schema version: ${status.schemaVersion}`,
    `last update:    ${status.lastUpdate ?? 'never'}`,
    `records:        ${status.records}`,
    '',
    `${'ecosystem'.padEnd(14)} ${'records'.padStart(8)} ${'packages'.padStart(9)}  newest modified`,
    ...status.ecosystems.map((row) => `${row.ecosystem.padEnd(14)} ${String(row.records).padStart(8)} ${String(row.packages).padStart(9)}  ${row.newestModified ?? '-'}`),
    '',
    `CISA KEV:       ${status.kev.entries} entries${status.kev.catalogVersion ? ` (catalogue ${status.kev.catalogVersion})` : ''}`,
    `EPSS:           ${status.epss.entries} scores${status.epss.date ? ` (${status.epss.date}${status.epss.modelVersion ? `, model ${status.epss.modelVersion}` : ''})` : ''}`,
  ];
  if (status.sources.length > 0) {
    lines.push('', 'sources:');
    for (const source of status.sources) lines.push(`  ${source.name} (${source.kind}, ${source.importedAt})`);
  }
  return `${lines.join('\n')}\n`;
};

/** `kubeward db status`. */
export const runDbStatus = async (options: { db?: string; format: string }, io: Io): Promise<number> => {
  const database = openDatabase(options.db, io);
  try {
    const status = database.status(statSync(database.path).size);
    await io.stdout(options.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    return EXIT.clean;
  } finally {
    database.close();
  }
};

const renderMatches = (purl: string, matches: readonly VulnerabilityMatch[], problems: readonly MatchProblem[]): string => {
  const unchecked = matches.length === 0 && problems.some((problem) => problem.code === 'invalid-version' || problem.code === 'release-not-covered');
  const lines = [`${purl}: ${unchecked ? 'not checked' : matches.length === 0 ? 'no known vulnerabilities' : `${matches.length} vulnerabilit${matches.length === 1 ? 'y' : 'ies'}`}`];
  for (const match of matches) {
    const extras = [match.kev ? `KEV since ${match.kev.dateAdded}` : '', match.epss ? `EPSS ${(match.epss.score * 100).toFixed(1)}%` : ''].filter(Boolean);
    const others = match.ids.filter((id) => id !== match.id);
    const about = [match.summary, others.length > 0 ? `(${others.join(', ')})` : undefined].filter(Boolean).join(' ');
    lines.push(
      `  ${match.id.padEnd(20)} ${match.severity.padEnd(8)} ${match.score === undefined ? '   ' : match.score.toFixed(1)}  fixed in ${match.fixedVersions.join(', ') || '(no fix)'}${extras.length ? `  [${extras.join(', ')}]` : ''}`,
      ...(about ? [`    ${about}`] : []),
      `    severity from ${match.severitySource.detail}`,
    );
  }
  for (const problem of problems) lines.push(`  warning: ${problem.message}`);
  return `${lines.join('\n')}\n`;
};

/** `kubeward db match <purl...>`: the vulnerabilities of packages named by Package URL. */
export const runDbMatch = async (purls: readonly string[], options: { db?: string; format: string }, io: Io): Promise<number> => {
  if (purls.length === 0) throw new UsageError('give at least one Package URL', 'kubeward db match pkg:npm/lodash@4.17.20');
  const database = openDatabase(options.db, io);
  let exit: number = EXIT.clean;
  try {
    const results: { purl: string; error?: string; matches?: VulnerabilityMatch[]; problems?: MatchProblem[] }[] = [];
    for (const purl of purls) {
      let pkg;
      try {
        pkg = packageFromPurl(purl);
      } catch (error) {
        if (!(error instanceof PurlError)) throw error;
        results.push({ purl, error: error.message });
        exit = EXIT.error;
        continue;
      }
      const { matches, problems } = matchPackage(pkg, database);
      results.push({ purl, matches, problems });
      // A version that cannot be read leaves the package unchecked: that is no clean answer.
      if (problems.some((problem) => problem.code === 'invalid-version' || problem.code === 'release-not-covered')) exit = EXIT.error;
    }
    if (options.format === 'json') {
      await io.stdout(`${JSON.stringify(results, null, 2)}\n`);
    } else {
      const text = results.map((result) => (result.error ? `${result.purl}: error: ${result.error}\n` : renderMatches(result.purl, result.matches ?? [], result.problems ?? []))).join('');
      await io.stdout(text);
      const all = results.flatMap((result) => result.matches ?? []);
      const worst = all.sort((a, b) => vulnerabilitySeverityRank(b.severity) - vulnerabilitySeverityRank(a.severity))[0];
      io.stderr(`kubeward: ${all.length} vulnerabilities in ${purls.length} package${purls.length === 1 ? '' : 's'}${worst ? `, worst ${worst.severity}` : ''}\n`);
    }
    return exit;
  } finally {
    database.close();
  }
};
