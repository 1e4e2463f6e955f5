import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** The public OSV bucket; `--mirror` points elsewhere (an air-gapped copy in the same layout). */
export { DEFAULT_MIRROR } from '../defaults.js';

export interface DownloadOptions {
  /** Attempts per file before giving up (the first try included). */
  readonly attempts: number;
  /** Wait before the first retry; doubled each time. */
  readonly backoffMs: number;
  /** Abort an attempt that takes longer than this. */
  readonly timeoutMs: number;
  /** Refuse a response larger than this (a mirror gone wrong must not fill the disk). */
  readonly maxBytes: number;
  readonly progress?: (message: string) => void;
  /** Sent as If-None-Match; a 304 answer means the copy at hand is current. */
  readonly etag?: string;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops the download (and its retries) when the whole update is abandoned. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_DOWNLOAD_OPTIONS: DownloadOptions = { attempts: 4, backoffMs: 1000, timeoutMs: 10 * 60 * 1000, maxBytes: 4 * 1024 * 1024 * 1024 };

export type DownloadResult =
  { readonly status: 'downloaded'; readonly bytes: number; readonly etag?: string } | { readonly status: 'not-modified' } | { readonly status: 'not-found' };

export class DownloadError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** `<mirror>/<Ecosystem>/all.zip`, with the ecosystem name escaped (`Red Hat` → `Red%20Hat`). */
export const ecosystemUrl = (mirror: string, ecosystem: string): string => `${mirror.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;

/** Permanent answers are not retried: asking again will not change them. */
class PermanentError extends Error {}

const attempt = async (url: string, file: string, options: DownloadOptions): Promise<DownloadResult> => {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const response = await fetch(url, {
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    headers: options.etag ? { 'if-none-match': options.etag } : {},
  });
  if (response.status === 304) return { status: 'not-modified' };
  if (response.status === 404) return { status: 'not-found' };
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw new PermanentError(`HTTP ${response.status} ${response.statusText}`);
  }
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) throw new PermanentError(`${declared} bytes, over the ${options.maxBytes}-byte limit`);
  let bytes = 0;
  const counted = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  counted.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > options.maxBytes) counted.destroy(new PermanentError(`over the ${options.maxBytes}-byte limit`));
  });
  await pipeline(counted, createWriteStream(file));
  // A connection that closes early can still end the stream cleanly: the length tells.
  if (Number.isFinite(declared) && bytes !== declared) throw new Error(`connection closed after ${bytes} of ${declared} bytes`);
  const etag = response.headers.get('etag');
  return { status: 'downloaded', bytes, ...(etag ? { etag } : {}) };
};

/**
 * Downloads `url` to `file`, retrying failures (network errors, 5xx, 408/429, truncated bodies)
 * with exponential backoff, and `verify`-ing what arrived (a zip that does not open is retried
 * too). 404 and 304 are answers, not failures. Throws `DownloadError` once the attempts are spent.
 */
export const download = async (url: string, file: string, options: DownloadOptions, verify?: (file: string) => Promise<void>): Promise<DownloadResult> => {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastError = '';
  for (let number = 1; number <= options.attempts; number++) {
    if (options.signal?.aborted) throw new DownloadError(url, `download of ${url} stopped`);
    try {
      const result = await attempt(url, file, options);
      if (result.status === 'downloaded' && verify) await verify(file);
      return result;
    } catch (error) {
      await rm(file, { force: true });
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      lastError = `${(error as Error).message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`;
      if (error instanceof PermanentError) break;
      if (options.signal?.aborted) throw new DownloadError(url, `download of ${url} stopped`);
      if (number < options.attempts) {
        const wait = options.backoffMs * 2 ** (number - 1);
        options.progress?.(`${url}: ${lastError}; retrying in ${(wait / 1000).toFixed(1)}s (attempt ${number + 1} of ${options.attempts})`);
        await sleep(wait);
      }
    }
  }
  throw new DownloadError(url, `could not download ${url}: ${lastError}`);
};
