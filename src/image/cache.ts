import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageScan } from '../model/index.js';
import type { CachedImageScan, ImageScanStore } from './scan-store.js';
import { parseDigest } from './sources/verify.js';

/**
 * Bump when catalogers or the scan's shape change: entries written by another format are ignored
 * and rewritten. The tool version is part of the key too.
 */
const CACHE_FORMAT = 1;

export type { CachedImageScan } from './scan-store.js';

/**
 * Scan results by image manifest digest: an image's content never changes under its digest, so a
 * second scan reads no layers (for a registry image, downloads none) and only matches the
 * packages again against the current database.
 */
export class ImageScanCache implements ImageScanStore {
  readonly #directory: string;
  readonly #toolVersion: string;

  constructor(directory: string, toolVersion: string) {
    this.#directory = directory;
    this.#toolVersion = toolVersion;
  }

  #path(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.#directory, `${algorithm}-${hex}.json`);
  }

  /** The cached scan of a manifest digest, or undefined (missing, from another version, unreadable). */
  async get(digest: string): Promise<CachedImageScan | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(digest), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { format?: number; tool?: string; digest?: string; scan?: CachedImageScan };
      if (entry.format !== CACHE_FORMAT || entry.tool !== this.#toolVersion || entry.digest !== digest || !entry.scan) return undefined;
      return entry.scan;
    } catch {
      // A torn or foreign file is a miss; the next write replaces it.
      return undefined;
    }
  }

  /** Stores a scan (written to a temporary file and renamed, so readers never see half a file). Throws on I/O errors. */
  async put(scan: ImageScan): Promise<void> {
    const rest: CachedImageScan = { image: scan.image, ...(scan.os ? { os: scan.os } : {}), packages: scan.packages, problems: scan.problems };
    await mkdir(this.#directory, { recursive: true, mode: 0o700 });
    const path = this.#path(scan.image.digest);
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify({ format: CACHE_FORMAT, tool: this.#toolVersion, digest: scan.image.digest, scan: rest }), { mode: 0o600 });
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }
}
