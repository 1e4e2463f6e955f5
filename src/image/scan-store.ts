import type { ImageScan } from '../model/index.js';

/** What is kept of a scan: everything the layers told, but not the vulnerabilities (the database moves on). */
export type CachedImageScan = Omit<ImageScan, 'vulnerabilities'>;

/**
 * Where earlier scans are kept, by image manifest digest (an image's content never changes under
 * its digest). A port, like the vulnerability database's `AdvisorySource`: the CLI keeps scans in
 * files (`ImageScanCache`), the server will keep them in its store.
 */
export interface ImageScanStore {
  /** The scan of a manifest digest, or undefined when none is kept (or it is unusable). */
  get(digest: string): Promise<CachedImageScan | undefined>;
  /** Keeps a scan; throws when it cannot (the caller warns and goes on). */
  put(scan: ImageScan): Promise<void>;
}
