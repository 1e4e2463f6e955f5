import yauzl from 'yauzl';
import { ZipGuard } from '../../zip/index.js';

/** Limits that keep a hostile archive from exhausting memory. */
export interface ZipLimits {
  /** Largest entry read, uncompressed (OSV records are kilobytes; the biggest real ones ~1 MB). */
  readonly maxEntryBytes: number;
  /** Largest uncompressed-to-compressed ratio accepted: JSON compresses ~10×, bombs ~1000×. */
  readonly maxRatio: number;
  /**
   * Largest ratio of all entries' inflated bytes together to the archive's size: OSV's zips
   * expand about 8× (the records are JSON text); entries that share one deflate stream expand
   * without bound.
   */
  readonly maxTotalRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntryBytes: 32 * 1024 * 1024, maxRatio: 200, maxTotalRatio: 100 };

export type ZipEvent =
  | { readonly kind: 'entry'; readonly name: string; readonly text: string }
  | { readonly kind: 'problem'; readonly code: 'unsafe-path' | 'too-large' | 'unreadable'; readonly name: string; readonly message: string };

/** A name that would land outside the directory it was extracted to: absolute, `..`, drive letters, backslashes. */
export const unsafeEntryName = (name: string): string | undefined => {
  if (name.includes('\\')) return 'holds a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').includes('..')) return 'climbs out with ..';
  if (name.includes('\0')) return 'holds a NUL byte';
  return undefined;
};

const openZip = (path: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true }, (error, zipfile) =>
      error ? reject(error) : resolve(zipfile),
    ),
  );

const readEntry = (zipfile: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    zipfile.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        // yauzl checks the declared size too; this guards entries that lie about it.
        if (total > limit) stream.destroy(new Error(`expands past ${limit} bytes`));
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });

/**
 * Reads the `.json` entries of a zip one at a time (an OSV `all.zip` holds one record per
 * entry). Nothing is written to disk; entries with unsafe names, or too large, or compressed
 * suspiciously well, are reported and skipped. Throws only when the archive itself cannot be
 * opened (not a zip, truncated).
 */
export async function* readZipJson(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): AsyncGenerator<ZipEvent> {
  const zipfile = await openZip(path);
  // The whole archive may inflate to maxTotalRatio times its size (at least 64 MiB, for small ones).
  const guard = new ZipGuard({ maxTotalBytes: Math.max(64 * 1024 * 1024, zipfile.fileSize * limits.maxTotalRatio) });
  let exhausted = false;
  const entries: yauzl.Entry[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  zipfile.on('entry', (entry: yauzl.Entry) => {
    entries.push(entry);
    wake?.();
  });
  zipfile.on('end', () => {
    done = true;
    wake?.();
  });
  zipfile.on('error', (error: Error) => {
    failure = error;
    done = true;
    wake?.();
  });
  try {
    zipfile.readEntry();
    for (;;) {
      if (entries.length === 0) {
        if (failure) throw failure;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const entry = entries.shift() as yauzl.Entry;
      const name = (entry.fileName as unknown as Buffer).toString('utf8');
      if (!name.endsWith('/') && name.toLowerCase().endsWith('.json')) {
        const unsafe = unsafeEntryName(name);
        if (unsafe) yield { kind: 'problem', code: 'unsafe-path', name, message: `zip entry ${JSON.stringify(name)} ${unsafe}; ignored` };
        else if (entry.uncompressedSize > limits.maxEntryBytes) {
          yield {
            kind: 'problem',
            code: 'too-large',
            name,
            message: `zip entry ${name} is ${entry.uncompressedSize} bytes, over the ${limits.maxEntryBytes}-byte limit; skipped`,
          };
        } else if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio && entry.uncompressedSize > 1024 * 1024) {
          yield {
            kind: 'problem',
            code: 'too-large',
            name,
            message: `zip entry ${name} expands ${Math.round(entry.uncompressedSize / entry.compressedSize)}× (a decompression bomb?); skipped`,
          };
        } else if (!exhausted) {
          const refusal = guard.admit(entry);
          if (refusal !== undefined) {
            // Past the archive's budget the rest is not read (said once); an overlapping entry only skips itself.
            exhausted = !refusal.startsWith('shares');
            yield {
              kind: 'problem',
              code: 'too-large',
              name,
              message: `zip entry ${name} ${refusal}${exhausted ? '; the rest of the archive is not read' : ''}`,
            };
          } else {
            try {
              yield { kind: 'entry', name, text: (await readEntry(zipfile, entry, limits.maxEntryBytes)).toString('utf8') };
            } catch (error) {
              yield { kind: 'problem', code: 'unreadable', name, message: `zip entry ${name}: ${(error as Error).message}` };
            }
          }
        }
      }
      if (!done) zipfile.readEntry();
    }
  } finally {
    zipfile.close();
  }
}
