/**
 * `npm run bench:vulndb`: imports all of the shared OSV data with `kubeward db import` (a whole
 * process, timed as users run it), prints the database size, then matches 10,000 packages of
 * mixed ecosystems against it in process, three times from a cold open. Prints JSON.
 *
 *   node dist/bench/vulndb.js [--packages 10000] [--runs 3] [--data ../shared/data/osv]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { PackageRef } from '../src/model/index.js';
import { ECOSYSTEMS, matchPackages } from '../src/vulndb/index.js';
import { DATABASE_FILE, VulnerabilityDatabase } from '../src/vulndb/store/index.js';

const { values: args } = parseArgs({
  options: {
    packages: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    data: { type: 'string' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
const dataDirectory = args.data ?? [join(root, '..', 'shared', 'data', 'osv'), '/work/shared/data/osv'].find((path) => existsSync(path));
if (!dataDirectory) throw new Error('no OSV data found; pass --data <dir in the OSV bucket layout>');

const runImport = (directory: string): Promise<{ wallSeconds: number; peakRssMB: number; exitCode: number | null }> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'dist/src/cli/bin.js'), 'db', 'import', '--db', directory, dataDirectory], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    let peak = 0;
    const timer = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peak = Math.max(peak, Number(match[1]) / 1024);
      } catch {
        // exited
      }
    }, 5);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ wallSeconds: (performance.now() - started) / 1000, peakRssMB: Math.round(peak), exitCode: code });
    });
  });

/**
 * A deterministic mix like the package lists of real images: 30% packages the database has
 * advisories for, 70% packages it does not know (most of an image). Known packages are mostly
 * patched (at the newest fixed version their advisories name) and one in four outdated (at the
 * oldest version an advisory names), so matches are found, as in a real scan, by the hundred
 * rather than for every package.
 */
const samplePackages = (path: string, count: number): PackageRef[] => {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT ecosystem, release, name, ranges FROM affected ORDER BY record, idx').all() as {
    ecosystem: string;
    release: string;
    name: string;
    ranges: string;
  }[];
  db.close();
  const byPackage = new Map<string, { pkg: Omit<PackageRef, 'version'>; fixed: string[]; other: string[] }>();
  for (const row of rows) {
    const key = `${row.ecosystem}/${row.release}/${row.name}`;
    const entry = byPackage.get(key) ?? {
      pkg: { ecosystem: row.ecosystem, name: row.name, ...(row.release ? { release: row.release } : {}) },
      fixed: [],
      other: [],
    };
    for (const range of JSON.parse(row.ranges) as { events: Record<string, string>[] }[]) {
      for (const event of range.events) {
        if (event.fixed) entry.fixed.push(event.fixed);
        for (const value of Object.values(event)) if (value !== '0') entry.other.push(value);
      }
    }
    byPackage.set(key, entry);
  }
  const scheme = (ecosystem: string) => ECOSYSTEMS.get(ecosystem)?.scheme;
  const newest = (ecosystem: string, versions: readonly string[]): string | undefined =>
    [...versions]
      .sort((a, b) => {
        try {
          return scheme(ecosystem)?.compare(a, b) ?? 0;
        } catch {
          return 0;
        }
      })
      .at(-1);
  const known = [...byPackage.values()];
  const out: PackageRef[] = [];
  const ecosystems = [...new Set(known.map((entry) => entry.pkg.ecosystem))].sort();
  for (let index = 0; out.length < count; index++) {
    if (index % 10 < 3) {
      const entry = known[(index * 7919) % known.length] as (typeof known)[number];
      const outdated = index % 4 === 0;
      const version = (outdated ? entry.other[0] : newest(entry.pkg.ecosystem, entry.fixed)) ?? entry.other[0] ?? '1.0.0';
      out.push({ ...entry.pkg, version });
    } else {
      const ecosystem = ecosystems[index % ecosystems.length] as string;
      out.push({
        ecosystem,
        name: `unknown-package-${index}`,
        version: ecosystem === 'Debian' ? '1.0-1' : ecosystem === 'Alpine' ? '1.0-r0' : '1.0.0',
        ...(ecosystem === 'Debian' ? { release: '12' } : ecosystem === 'Alpine' ? { release: 'v3.11' } : {}),
      });
    }
  }
  return out;
};

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const directory = await mkdtemp(join(tmpdir(), 'kubeward-bench-vulndb-'));
try {
  log(`importing ${dataDirectory}`);
  const imported = await runImport(directory);
  const databasePath = join(directory, DATABASE_FILE);
  const bytes = statSync(databasePath).size;
  const packages = samplePackages(databasePath, Number(args.packages));
  const runs: number[] = [];
  let found = 0;
  let problems = 0;
  for (let run = 0; run < Number(args.runs); run++) {
    log(`matching ${packages.length} packages, run ${run + 1}`);
    const started = performance.now();
    const database = VulnerabilityDatabase.open(databasePath);
    const result = matchPackages(packages, database);
    database.close();
    runs.push((performance.now() - started) / 1000);
    found = result.matches.length;
    problems = result.problems.length;
  }
  const figures = {
    benchmark: 'vulnerability-database',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGB: Number((totalmem() / 1024 ** 3).toFixed(1)), node: process.version },
    data: dataDirectory,
    import: {
      command: 'kubeward db import --db <dir> <data>',
      wallSeconds: Number(imported.wallSeconds.toFixed(2)),
      peakRssMB: imported.peakRssMB,
      exitCode: imported.exitCode,
      databaseBytes: bytes,
      databaseMB: Number((bytes / 1024 / 1024).toFixed(1)),
    },
    match: {
      packages: packages.length,
      byEcosystem: Object.fromEntries(
        [...new Set(packages.map((pkg) => pkg.ecosystem))].sort().map((ecosystem) => [ecosystem, packages.filter((pkg) => pkg.ecosystem === ecosystem).length]),
      ),
      vulnerabilitiesFound: found,
      problems,
      seconds: { median: Number(median(runs).toFixed(3)), runs: runs.map((value) => Number(value.toFixed(3))) },
      note: 'each run opens the database afresh (cold caches) and matches every package',
    },
    targets: { importUnder30s: imported.wallSeconds < 30, match10kUnder1s: median(runs) < 1 },
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} finally {
  await rm(directory, { recursive: true, force: true });
}
