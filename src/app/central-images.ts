import type { ImageScan } from '../model/index.js';
import type { RegistryOptions } from '../image/index.js';
import { matchPackages } from '../vulndb/index.js';
import type { VulnerabilityDatabase } from '../vulndb/store/index.js';
import { scanImage } from './scan-image.js';
import { openVulnDb, updateVulnDb } from './vulndb.js';

export interface ServerImageScanningOptions {
  /** The vulnerability database directory. */
  readonly database: string;
  readonly registry: RegistryOptions;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
  /** Refresh the database from this OSV mirror (or osv.dev) when `update` is called. */
  readonly mirror?: string | undefined;
  readonly warn: (message: string) => void;
}

/**
 * What `kubeward server --scan-images` scans with: `image scan`'s pull and match, the database
 * reopened after each `db update` (the update swaps the file whole, so a match never sees half).
 */
export const serverImageScanning = (options: ServerImageScanningOptions) => {
  let database: VulnerabilityDatabase | undefined;
  const open = (): VulnerabilityDatabase | undefined => {
    try {
      return openVulnDb(options.database);
    } catch (error) {
      options.warn(`${(error as Error).message}; images are scanned for packages only until there is a database`);
      return undefined;
    }
  };
  database = open();
  return {
    scan: async (name: string): Promise<ImageScan> => (await scanImage(name, { cwd: options.cwd, registry: options.registry, advisories: database })).scan,
    rematch: (scan: ImageScan): ImageScan => (database ? { ...scan, vulnerabilities: matchPackages(scan.packages, database).matches } : scan),
    update: async (): Promise<boolean> => {
      const report = await updateVulnDb({
        directory: options.database,
        mirror: options.mirror,
        ecosystems: [],
        env: options.env,
        retries: 2,
        timeoutSeconds: 300,
        now: options.now,
      });
      database?.close();
      database = open();
      return report.tallies.some((tally) => tally.inserted + tally.updated + tally.withdrawn > 0);
    },
    close: (): void => database?.close(),
  };
};
