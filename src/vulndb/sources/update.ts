import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DOWNLOAD_OPTIONS, download, DownloadError, ecosystemUrl, type DownloadOptions } from './download.js';
import { importEpssFile, importKevFile, importPath, importZip, type ImportOptions } from './files.js';
import { readZipJson } from './zip.js';
import { DatabaseBuilder, type ImportTally } from '../store/builder.js';
import { DatabaseError } from '../store/database.js';
import { DATABASE_FILE } from '../store/schema.js';

export interface UpdateOptions {
  readonly directory: string;
  readonly mirror: string;
  readonly ecosystems: readonly string[];
  /** The user named the ecosystems: one missing from the mirror is then an error, not a note. */
  readonly explicit: boolean;
  readonly download?: Partial<DownloadOptions>;
  readonly concurrency?: number;
  readonly now: () => Date;
  readonly progress?: (message: string) => void;
  /** Abandons the update (Ctrl-C): downloads stop, the new file is thrown away. */
  readonly signal?: AbortSignal;
}

export interface UpdateReport {
  readonly database: string;
  readonly tallies: readonly ImportTally[];
  /** Ecosystems whose copy on the mirror has not changed since the last update (HTTP 304). */
  readonly unchanged: readonly string[];
  /** Ecosystems the mirror does not carry (HTTP 404). */
  readonly missing: readonly string[];
}

/** Opens the zip's central directory and reads its first entry: a truncated download fails here and is fetched again. */
const verifyZip = async (file: string): Promise<void> => {
  const entries = readZipJson(file);
  try {
    await entries.next();
  } catch (error) {
    throw new Error(`not a readable zip archive (${(error as Error).message})`, { cause: error });
  } finally {
    await entries.return(undefined);
  }
};

/**
 * `kubeward db update`: downloads `<mirror>/<Ecosystem>/all.zip` for each ecosystem (a few at a
 * time, retrying with backoff), imports them into a copy of the database and swaps it in. All or
 * nothing: when a download fails for good, the update stops and the current database is untouched.
 */
export const updateDatabase = async (options: UpdateOptions): Promise<UpdateReport> => {
  const downloads = join(options.directory, 'downloads');
  await mkdir(downloads, { recursive: true });
  const builder = DatabaseBuilder.begin(options.directory);
  // One failure ends the update: the other downloads stop too, and nothing runs once it has ended.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const settings: DownloadOptions = {
    ...DEFAULT_DOWNLOAD_OPTIONS,
    ...options.download,
    ...(options.progress ? { progress: options.progress } : {}),
    signal: stop.signal,
  };
  const tallies: ImportTally[] = [];
  const unchanged: string[] = [];
  const missing: string[] = [];
  try {
    const queue = [...options.ecosystems];
    const fetchOne = async (ecosystem: string): Promise<void> => {
      const url = ecosystemUrl(options.mirror, ecosystem);
      const file = join(downloads, `${encodeURIComponent(ecosystem)}.zip.part`);
      const etag = builder.meta(`etag:${url}`);
      options.progress?.(`downloading ${url}`);
      const result = await download(url, file, { ...settings, ...(etag ? { etag } : {}) }, verifyZip);
      if (result.status === 'not-found') {
        if (options.explicit) throw new DownloadError(url, `the mirror has no ${ecosystem} data (${url}: HTTP 404)`);
        options.progress?.(`${ecosystem}: not on this mirror; skipped`);
        missing.push(ecosystem);
        return;
      }
      if (result.status === 'not-modified') {
        options.progress?.(`${ecosystem}: unchanged since the last update`);
        unchanged.push(ecosystem);
        return;
      }
      options.progress?.(`importing ${ecosystem} (${(result.bytes / 1024 / 1024).toFixed(1)} MB)`);
      const tally = await importZip(builder, file, url, { signal: stop.signal });
      if (stop.signal.aborted) return;
      await rm(file, { force: true });
      if (tally.failed) throw new DownloadError(url, `${url}: ${tally.failed}`);
      builder.recordSource(tally, 'osv-zip', options.now());
      if (result.etag) builder.setMeta(`etag:${url}`, result.etag);
      tallies.push(tally);
      options.progress?.(
        `${ecosystem}: ${tally.records} records (${tally.inserted} new, ${tally.updated} updated, ${tally.unchanged} unchanged, ${tally.withdrawn} withdrawn)`,
      );
    };
    // Downloads overlap; imports run one at a time on the builder's single connection (they are synchronous).
    let failure: unknown;
    const workers = Array.from({ length: Math.min(options.concurrency ?? 3, queue.length) }, async () => {
      for (let ecosystem = queue.shift(); ecosystem !== undefined && !stop.signal.aborted; ecosystem = queue.shift()) {
        try {
          await fetchOne(ecosystem);
        } catch (error) {
          failure ??= error;
          stop.abort();
        }
      }
    });
    await Promise.all(workers);
    if (failure !== undefined) throw failure;
    if (options.signal?.aborted) throw new DatabaseError('the update was interrupted; the database was not changed');
    if (missing.length === options.ecosystems.length) {
      throw new DatabaseError(
        `the mirror ${options.mirror} has none of the ecosystems asked for (${options.ecosystems.join(', ')})`,
        'check --mirror: it must hold <Ecosystem>/all.zip files',
      );
    }
    builder.commit(options.now());
    return { database: join(options.directory, DATABASE_FILE), tallies, unchanged, missing };
  } catch (error) {
    builder.abort();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await rm(downloads, { recursive: true, force: true });
  }
};

export interface ImportRequest {
  readonly directory: string;
  /** OSV zips, JSON files and directories, with how to show each. */
  readonly paths: readonly { readonly path: string; readonly display: string }[];
  readonly kev?: { readonly path: string; readonly display: string };
  readonly epss?: { readonly path: string; readonly display: string };
  readonly now: () => Date;
  readonly options?: ImportOptions;
  readonly signal?: AbortSignal;
}

/**
 * `kubeward db import`: imports local files into a copy of the database and swaps it in. A source
 * that cannot be read is reported in its tally; the others are imported all the same.
 */
export const importIntoDatabase = async (request: ImportRequest): Promise<{ database: string; tallies: ImportTally[] }> => {
  const builder = DatabaseBuilder.begin(request.directory);
  try {
    const tallies: ImportTally[] = [];
    const interrupted = (): void => {
      if (request.signal?.aborted) throw new DatabaseError('the import was interrupted; the database was not changed');
    };
    for (const { path, display } of request.paths) {
      interrupted();
      request.options?.progress?.(`importing ${display}`);
      for (const tally of await importPath(builder, path, display, { ...request.options, ...(request.signal ? { signal: request.signal } : {}) })) {
        builder.recordSource(tally, 'osv', request.now());
        tallies.push(tally);
      }
    }
    interrupted();
    if (request.kev) {
      const tally = await importKevFile(builder, request.kev.path, request.kev.display, request.options);
      if (!tally.failed) builder.recordSource(tally, 'kev', request.now());
      tallies.push(tally);
    }
    if (request.epss) {
      const tally = await importEpssFile(builder, request.epss.path, request.epss.display, request.options);
      if (!tally.failed) builder.recordSource(tally, 'epss', request.now());
      tallies.push(tally);
    }
    interrupted();
    builder.commit(request.now());
    return { database: join(request.directory, DATABASE_FILE), tallies };
  } catch (error) {
    builder.abort();
    throw error;
  }
};
