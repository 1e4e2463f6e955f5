import { databaseDirectory as databaseLocation, importVulnDb, matchPurls, updatePlan, updateVulnDb, vulnDbStatus, type ImportTally } from '../../app/index.js';
import { DB_MATCH_RENDERERS, DB_STATUS_RENDERERS, uncheckedAnswer, worstMatch, type DbFormat } from '../../report/vulndb/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { renderContext, writeRendered } from '../write-report.js';

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
  const plan = updatePlan({ directory, mirror: options.mirror, ecosystems: options.ecosystem, env: io.env });
  const retries = positiveInteger(options.retries, '--retries', 3);
  const timeoutSeconds = positiveInteger(options.timeout, '--timeout', 600);
  const started = performance.now();
  io.stderr(`kubeward: updating ${plan.file} from ${plan.mirror} (${plan.ecosystems.join(', ')})\n`);
  const report = await withInterrupts((signal) =>
    updateVulnDb({
      signal,
      directory,
      mirror: options.mirror,
      ecosystems: options.ecosystem,
      env: io.env,
      retries,
      timeoutSeconds,
      now: io.now,
      progress: (message) => io.stderr(`kubeward: ${message}\n`),
    }),
  );
  reportTallies(report.tallies, io, options.verbose === true);
  io.stderr(
    `kubeward: database updated in ${((performance.now() - started) / 1000).toFixed(1)}s: ${report.database} (${megabytes(report.bytes)})` +
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
  if (paths.length === 0 && !options.kev && !options.epss)
    throw new UsageError(
      'nothing to import: give OSV zips, JSON files or directories, --kev or --epss',
      'kubeward db import osv/npm/all.zip --kev known_exploited_vulnerabilities.json',
    );
  const { database, tallies, bytes } = await withInterrupts((signal) =>
    importVulnDb({
      signal,
      directory: databaseDirectory(options.db, io),
      cwd: io.cwd,
      paths,
      kev: options.kev,
      epss: options.epss,
      now: io.now,
      progress: (message) => io.stderr(`kubeward: ${message}\n`),
    }),
  );
  reportTallies(tallies, io, options.verbose === true);
  const failed = tallies.filter((tally) => tally.failed);
  io.stderr(
    `kubeward: imported into ${database} (${megabytes(bytes)})${failed.length ? `; ${failed.length} source${failed.length === 1 ? '' : 's'} could not be read` : ''}\n`,
  );
  return failed.length > 0 ? EXIT.error : EXIT.clean;
};

/** `kubeward db status`. */
export const runDbStatus = async (options: { db?: string; format: string }, io: Io): Promise<number> => {
  await writeRendered(
    DB_STATUS_RENDERERS[options.format as DbFormat].render(vulnDbStatus(databaseDirectory(options.db, io)), renderContext(io, {}, false)),
    undefined,
    io,
  );
  return EXIT.clean;
};

/** `kubeward db match <purl...>`: the vulnerabilities of packages named by Package URL. */
export const runDbMatch = async (purls: readonly string[], options: { db?: string; format: string }, io: Io): Promise<number> => {
  if (purls.length === 0) throw new UsageError('give at least one Package URL', 'kubeward db match pkg:npm/lodash@4.17.20');
  const results = matchPurls(databaseDirectory(options.db, io), purls);
  await writeRendered(DB_MATCH_RENDERERS[options.format as DbFormat].render(results, renderContext(io, {}, false)), undefined, io);
  if (options.format !== 'json') {
    const all = results.flatMap((result) => result.matches ?? []);
    const worst = worstMatch(results);
    io.stderr(
      `kubeward: ${all.length} vulnerabilities in ${purls.length} package${purls.length === 1 ? '' : 's'}${worst ? `, worst ${worst.severity}` : ''}\n`,
    );
  }
  // An unreadable purl, or a version that cannot be read, leaves a package unchecked: that is no clean answer.
  return results.some((result) => result.error !== undefined || uncheckedAnswer(result.problems ?? [])) ? EXIT.error : EXIT.clean;
};
