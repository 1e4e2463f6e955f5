import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { countProblem, newTally, type DatabaseBuilder, type ImportTally } from '../store/builder.js';
import { parseEpss, parseKev } from './feeds.js';
import { DEFAULT_ZIP_LIMITS, readZipJson, type ZipLimits } from './zip.js';

export interface ImportOptions {
  readonly zipLimits?: ZipLimits;
  /** Largest JSON file or feed read whole, in bytes. */
  readonly maxFileBytes?: number;
  readonly progress?: (message: string) => void;
  /** Stops reading (Ctrl-C); the caller then throws the new database away. */
  readonly signal?: AbortSignal;
}

const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Imports the records of one OSV zip (`all.zip` of the OSV bucket), entry by entry. */
export const importZip = async (builder: DatabaseBuilder, path: string, source: string, options: ImportOptions = {}): Promise<ImportTally> => {
  const tally = newTally(source);
  try {
    for await (const event of readZipJson(path, options.zipLimits ?? DEFAULT_ZIP_LIMITS)) {
      if (options.signal?.aborted) break;
      if (event.kind === 'entry') builder.importRecord(event.text, `${source}:${event.name}`, tally);
      else countProblem(tally, event.code, `${source}: ${event.message}`);
    }
  } catch (error) {
    tally.failed = `not a readable zip archive (${(error as Error).message})`;
    countProblem(tally, 'corrupt-zip', `${source}: ${tally.failed}`);
  }
  return tally;
};

/** A JSON file holding one OSV record, a list of them, or an OSV API answer (`{"vulns": [...]}`). */
const importJsonFile = (builder: DatabaseBuilder, text: string, source: string, tally: ImportTally): void => {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    tally.records++;
    countProblem(tally, 'invalid-json', `${source}: ${(error as Error).message}`);
    return;
  }
  const list = Array.isArray(value) ? value : Array.isArray((value as { vulns?: unknown } | null)?.vulns) ? (value as { vulns: unknown[] }).vulns : undefined;
  if (!list) {
    builder.importRecord(text, source, tally);
    return;
  }
  list.forEach((item, index) => builder.importRecord(JSON.stringify(item), `${source}[${index}]`, tally));
};

const readLimited = async (path: string, limit: number): Promise<Buffer> => {
  const info = await stat(path);
  if (info.size > limit) throw new Error(`${info.size} bytes, over the ${limit}-byte limit`);
  return readFile(path);
};

/**
 * Imports what a path holds: an OSV zip, a JSON file, or a directory (walked for `.json` records
 * and `.zip` archives, as a mirror of the OSV bucket or an unpacked one). One tally per source
 * read: a directory's loose JSON files share one, each zip has its own.
 */
export const importPath = async (builder: DatabaseBuilder, path: string, display: string, options: ImportOptions = {}): Promise<ImportTally[]> => {
  const limit = options.maxFileBytes ?? MAX_FILE_BYTES;
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const tally = newTally(display);
    tally.failed = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
    countProblem(tally, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'unreadable', `${display}: ${tally.failed}`);
    return [tally];
  }
  if (!info.isDirectory()) {
    if (path.toLowerCase().endsWith('.zip')) return [await importZip(builder, path, display, options)];
    const tally = newTally(display);
    try {
      importJsonFile(builder, (await readLimited(path, limit)).toString('utf8'), display, tally);
    } catch (error) {
      tally.failed = (error as Error).message;
      countProblem(tally, 'unreadable', `${display}: ${tally.failed}`);
    }
    return [tally];
  }
  const loose = newTally(display);
  const tallies: ImportTally[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const entry of (await readdir(directory, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(directory, entry.name);
      const shown = join(display, relative(path, full));
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.zip')) {
        options.progress?.(`importing ${shown}`);
        tallies.push(await importZip(builder, full, shown, options));
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        try {
          importJsonFile(builder, (await readLimited(full, limit)).toString('utf8'), shown, loose);
        } catch (error) {
          countProblem(loose, 'unreadable', `${shown}: ${(error as Error).message}`);
        }
      }
    }
  };
  await walk(path);
  return loose.records > 0 || Object.keys(loose.problems).length > 0 || tallies.length === 0 ? [loose, ...tallies] : tallies;
};

/** Reads a whole feed file, gunzipping `.gz` with a cap on what it may expand to. */
const readFeed = async (path: string, limit: number): Promise<string> => {
  const raw = await readLimited(path, limit);
  const gzipped = raw[0] === 0x1f && raw[1] === 0x8b;
  return (gzipped ? gunzipSync(raw, { maxOutputLength: limit }) : raw).toString('utf8');
};

/** Imports CISA KEV (`known_exploited_vulnerabilities.json`), replacing the previous catalogue. */
export const importKevFile = async (builder: DatabaseBuilder, path: string, display: string, options: ImportOptions = {}): Promise<ImportTally> => {
  const tally = newTally(display);
  try {
    const parsed = parseKev(await readFeed(path, options.maxFileBytes ?? MAX_FILE_BYTES));
    if ('message' in parsed) throw new Error(parsed.message);
    builder.replaceKev(parsed.entries, parsed.catalogVersion);
    tally.records = parsed.entries.length + parsed.skipped;
    tally.inserted = parsed.entries.length;
    tally.skipped = parsed.skipped;
  } catch (error) {
    tally.failed = (error as Error).message;
    countProblem(tally, 'unreadable', `${display}: ${tally.failed}`);
  }
  return tally;
};

/** Imports an EPSS scores file (`.csv` or `.csv.gz`), replacing the previous scores. */
export const importEpssFile = async (builder: DatabaseBuilder, path: string, display: string, options: ImportOptions = {}): Promise<ImportTally> => {
  const tally = newTally(display);
  try {
    const parsed = parseEpss(await readFeed(path, options.maxFileBytes ?? MAX_FILE_BYTES));
    if ('message' in parsed) throw new Error(`${parsed.message}${parsed.line ? ` (line ${parsed.line})` : ''}`);
    tally.inserted = builder.replaceEpss(parsed.rows, {
      ...(parsed.date ? { date: parsed.date } : {}),
      ...(parsed.modelVersion ? { modelVersion: parsed.modelVersion } : {}),
    });
    tally.records = parsed.rows.length + parsed.skipped;
    tally.skipped = parsed.skipped;
  } catch (error) {
    tally.failed = (error as Error).message;
    countProblem(tally, 'unreadable', `${display}: ${tally.failed}`);
  }
  return tally;
};
