import type { ImageScan } from '../model/index.js';
import { IMAGE_RENDERERS } from '../report/image/index.js';
import { scanFromReport, type ImageCatalogue } from './images.js';
import type { Ingestor } from './ingest.js';
import type { CentralStore } from './store/index.js';

/** How the server scans images itself: pull and match, match again, refresh the database. */
export interface ImageScanning {
  /** Pulls the image a name stands for and matches its packages with the current database. */
  readonly scan: (name: string) => Promise<ImageScan>;
  /** Matches a kept scan's packages again, with the current database. */
  readonly rematch: (scan: ImageScan) => ImageScan;
  /** Refreshes the database (when the server was told to); resolves with whether it changed. */
  readonly update?: () => Promise<boolean>;
  readonly close: () => void;
}

export interface ImageScannerEvents {
  readonly scanned: (name: string, scan: ImageScan) => void;
  readonly failed: (name: string, message: string) => void;
  readonly rematched: (changed: number, of: number) => void;
}

/** The JSON report of a scan, as `image scan --format json` writes it: what central keeps. */
const reportOf = (scan: ImageScan, now: Date, version: string): unknown =>
  JSON.parse([IMAGE_RENDERERS.json.render(scan, { color: false, now, toolVersion: version })].flat().join(''));

const vulnerabilityKey = (scan: ImageScan): string =>
  scan.vulnerabilities
    .map((match) => `${match.id}\u0000${match.package.name}\u0000${match.package.version}\u0000${match.severity}\u0000${match.fixedVersions.join(',')}`)
    .sort()
    .join('\n');

/**
 * The server's own image scans: every image a workload runs that no scan stands for yet is pulled
 * and scanned, one at a time (a failed one is tried again after `retryAfterMs`); after each
 * database update every kept scan is matched again, and those whose vulnerabilities changed are
 * kept anew, their clusters judged again.
 */
export const createImageScanner = (options: {
  readonly store: CentralStore;
  readonly catalogue: ImageCatalogue;
  readonly ingestor: Ingestor;
  readonly scanning: ImageScanning;
  readonly now: () => Date;
  readonly version: string;
  readonly events: ImageScannerEvents;
  readonly retryAfterMs?: number;
}) => {
  const { store, catalogue, ingestor, scanning } = options;
  const failures = new Map<string, { readonly at: number; readonly message: string }>();
  const queue = new Set<string>();
  let draining: Promise<void> | undefined;
  let updating: Promise<{ readonly updated: boolean; readonly changed: number }> | undefined;

  const clusters = async (): Promise<string[]> => (await store.listClusters({})).map((cluster) => cluster.name);

  // The promise is cleared in a `.finally` chained after it is stored: cleared inside, a run with
  // nothing to await would clear it before it is stored, and no later call would start a run.
  const drain = (): Promise<void> =>
    (draining ??= (async () => {
      {
        for (const name of queue) {
          queue.delete(name);
          try {
            const scan = await scanning.scan(name);
            await catalogue.put(name, scan, 'server', options.now(), reportOf(scan, options.now(), options.version));
            failures.delete(name);
            options.events.scanned(name, scan);
            ingestor.rejudgeSoon(await clusters());
          } catch (error) {
            failures.set(name, { at: options.now().getTime(), message: (error as Error).message });
            options.events.failed(name, (error as Error).message);
          }
        }
      }
    })().finally(() => (draining = undefined)));

  /** Matches every kept scan again (after a database update); returns how many changed. */
  const rematchAll = async (): Promise<number> => {
    const index = await store.imageIndex();
    let changed = 0;
    for (const entry of index) {
      const kept = await store.getImage(entry.digest);
      const scan = scanFromReport(kept?.report);
      if (!kept || !scan) continue;
      const again = scanning.rematch(scan);
      if (vulnerabilityKey(again) === vulnerabilityKey(scan)) continue;
      changed++;
      for (const name of entry.names.length ? entry.names : [kept.name])
        await catalogue.put(name, again, kept.source, options.now(), reportOf(again, options.now(), options.version));
    }
    options.events.rematched(changed, index.length);
    if (changed > 0) ingestor.rejudgeSoon(await clusters());
    return changed;
  };

  return {
    /** Queues the names given, or every name workloads run that no scan stands for (failures wait their turn). */
    sweep: async (names?: readonly string[]): Promise<number> => {
      const known = new Set((await store.imageIndex()).flatMap((entry) => entry.names));
      const wanted = names ?? (await store.workloadImages()).filter((name) => !known.has(name));
      const retryAfter = options.retryAfterMs ?? 3_600_000;
      let queued = 0;
      for (const name of wanted) {
        const failed = failures.get(name);
        if (!names && failed && options.now().getTime() - failed.at < retryAfter) continue;
        if (!queue.has(name)) queued++;
        queue.add(name);
      }
      void drain();
      return queued;
    },
    rematchAll,
    /** Refreshes the vulnerability database and, when it changed, matches every kept scan again. */
    updateAndRematch: (): Promise<{ readonly updated: boolean; readonly changed: number }> =>
      // One update at a time: a schedule that fires during a slow one joins it.
      (updating ??= (async () => {
        if (!scanning.update) return { updated: false, changed: 0 };
        const updated = await scanning.update();
        return { updated, changed: updated ? await rematchAll() : 0 };
      })().finally(() => (updating = undefined))),
    failures: (): ReadonlyMap<string, { readonly at: number; readonly message: string }> => failures,
    idle: async (): Promise<void> => {
      while (draining) await draining;
    },
  };
};

export type ImageScanner = ReturnType<typeof createImageScanner>;
