import type { FastifyInstance } from 'fastify';
import { loadClusterSnapshot, type PolicySet } from '../app/index.js';
import { bootstrapAdminToken, buildApi } from './api/index.js';
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expireExceptions } from './exceptions.js';
import { createImageScanner, type ImageScanner, type ImageScanning } from './image-scanning.js';
import { createImageCatalogue, scanFromReport } from './images.js';
import { createCentralPolicies } from './policies.js';
import { createIngestor, type IngestReport } from './ingest.js';
import { openPostgresStore, openSqliteStore, type CentralStore } from './store/index.js';

export type CentralStorage =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string; readonly maxConnections?: number | undefined };

export interface StartCentralOptions {
  readonly storage: CentralStorage;
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string } | undefined;
  readonly set: PolicySet;
  readonly version: string;
  readonly now: () => Date;
  readonly log: boolean | { readonly level: string; readonly stream?: NodeJS.WritableStream };
  /** Scan the images workloads run (`--scan-images`), and with `updateEveryMs` refresh the database and match again. */
  readonly imageScanning?: { readonly scanning: ImageScanning; readonly sweepMs?: number; readonly updateEveryMs?: number | undefined } | undefined;
  /** How often expired exceptions are looked for (default a minute). */
  readonly sweepMs?: number | undefined;
  /** Requests a second per token, and the burst allowed (default 100 and 200). */
  readonly rateLimit?: { readonly rate: number; readonly burst: number } | undefined;
  /** How often the policies are read again (another replica may change them). */
  readonly policyRefreshMs?: number | undefined;
  /** Load these manifests as cluster `demo` before serving, with the image scan reports (`*.json.gz`) in `images`. */
  readonly demo?: { readonly inputs: readonly string[]; readonly cwd: string; readonly images?: string | undefined } | undefined;
}

export interface RunningCentral {
  readonly url: string;
  readonly port: number;
  readonly store: CentralStore;
  /** The bootstrap admin token's secret, when this start made one (a store without an admin token). */
  readonly adminToken?: string;
  readonly demo?: IngestReport;
  /** Whether the web console is served (the package's build has it). */
  readonly console: boolean;
  readonly close: () => Promise<void>;
}

/**
 * `kubeward server`: opens the store (migrating it), makes an admin token when there is none,
 * loads the demo when asked, and serves the API until closed.
 */
export const startCentral = async (options: StartCentralOptions): Promise<RunningCentral> => {
  const store =
    options.storage.kind === 'sqlite'
      ? await openSqliteStore(options.storage.file)
      : await openPostgresStore(options.storage.url, { maxConnections: options.storage.maxConnections });
  let app: FastifyInstance | undefined;
  try {
    const adminToken = await bootstrapAdminToken(store, options.now());
    const images = createImageCatalogue(store);
    const policies = await createCentralPolicies({ store, base: options.set, now: options.now, warn: (message) => app?.log.warn(message) });
    const ingestor = createIngestor({ store, set: policies.current, now: options.now, images: images.images });
    let demo: IngestReport | undefined;
    if (options.demo) {
      const directory = options.demo.images ? resolve(options.demo.cwd, options.demo.images) : undefined;
      const files = directory ? (await readdir(directory)).filter((name) => name.endsWith('.json.gz')).sort() : [];
      for (const name of files) {
        const file = resolve(directory ?? '', name);
        const report: unknown = JSON.parse(gunzipSync(await readFile(file)).toString('utf8'));
        const scan = scanFromReport(report);
        if (!scan) throw new Error(`${file} is not an image scan report`);
        await images.put(scan.image.source, scan, 'demo', options.now(), report);
      }
      const loaded = await loadClusterSnapshot(options.demo.inputs, { cwd: options.demo.cwd, stdin: () => [] });
      demo = await ingestor.ingestModel('demo', `demo-${options.version}-${options.now().toISOString()}`, loaded.objects, loaded.problems);
    }
    let scanner: ImageScanner | undefined;
    const log = (level: 'info' | 'warn', message: string): void => app?.log[level](message);
    if (options.imageScanning)
      scanner = createImageScanner({
        store,
        catalogue: images,
        ingestor,
        scanning: options.imageScanning.scanning,
        now: options.now,
        version: options.version,
        events: {
          scanned: (name, scan) => log('info', `scanned ${name}: ${scan.packages.length} packages, ${scan.vulnerabilities.length} vulnerabilities`),
          failed: (name, message) => log('warn', `cannot scan ${name}: ${message}`),
          rematched: (changed, of) => log('info', `matched ${of} image scans again: ${changed} changed`),
        },
      });
    app = await buildApi({
      store,
      set: options.set,
      policies,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      version: options.version,
      now: options.now,
      tls: options.tls,
      log: options.log,
      ingestor,
      images,
      scanner,
    });
    await app.ready();
    // Fastify listens on the adapter's server (serverFactory), so its close also closes the server.
    await app.listen({ port: options.port, host: options.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const server = app;
    // Exceptions end on time even in a quiet cluster: their violations are judged active again.
    const sweeper = setInterval(() => {
      expireExceptions(store, ingestor, options.now()).catch((error: unknown) => server.log.warn({ err: error }, 'expiring exceptions failed'));
    }, options.sweepMs ?? 60_000);
    sweeper.unref();
    // Another replica may change the policies: follow the store's revision.
    const follower = setInterval(() => {
      policies.refresh().catch((error: unknown) => server.log.warn({ err: error }, 'reading the policies failed'));
    }, options.policyRefreshMs ?? 5_000);
    follower.unref();
    const timers = [sweeper, follower];
    if (scanner && options.imageScanning) {
      const images = scanner;
      const scanning = options.imageScanning;
      const every = setInterval(
        () => void images.sweep().catch((error: unknown) => log('warn', `image sweep failed: ${(error as Error).message}`)),
        scanning.sweepMs ?? 10_000,
      );
      timers.push(every);
      void images.sweep().catch((error: unknown) => log('warn', `image sweep failed: ${(error as Error).message}`));
      if (scanning.updateEveryMs) {
        timers.push(
          setInterval(() => {
            images
              .updateAndRematch()
              .catch((error: unknown) => log('warn', `vulnerability database update failed (the current one stays): ${(error as Error).message}`));
          }, scanning.updateEveryMs),
        );
      }
      for (const timer of timers) timer.unref();
    }
    return {
      url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
      port,
      store,
      ...(adminToken ? { adminToken } : {}),
      ...(demo ? { demo } : {}),
      console: app.hasRoute({ method: 'GET', url: '/' }),
      close: async () => {
        for (const timer of timers) clearInterval(timer);
        await scanner?.idle();
        await server.close();
        options.imageScanning?.scanning.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
};
