import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { databaseDirectory, lapsedExceptions, serverImageScanning } from '../../app/index.js';
import { startCentral, type CentralStorage } from '../../central/index.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { policyGate, warnLapsed, type PolicySelectionFlags } from '../policy-gate.js';

export interface ServerCliOptions extends PolicySelectionFlags {
  readonly db?: string;
  readonly postgres?: string;
  readonly postgresPool?: string;
  readonly address: string;
  readonly port: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly demo?: boolean;
  readonly logLevel: string;
  readonly quiet?: boolean;
  readonly scanImages?: boolean;
  readonly vulnDb?: string;
  readonly dbUpdateEvery?: string;
  readonly osvMirror?: string;
  readonly username?: string;
  readonly insecureRegistry?: boolean;
  readonly registryCa?: string;
  readonly rateLimit?: string;
}

/** Where central keeps its state: --postgres (or $KUBEWARD_POSTGRES_URL), else the SQLite file of --db, else ./.kubeward/central.db (for --demo a fresh temporary file). */
const storage = async (options: ServerCliOptions, io: Io): Promise<CentralStorage> => {
  const url = options.postgres ?? io.env.KUBEWARD_POSTGRES_URL;
  if (url && options.db) throw new UsageError('give --db (SQLite) or --postgres, not both');
  const pool = options.postgresPool === undefined ? undefined : Number(options.postgresPool);
  if (pool !== undefined && !(Number.isInteger(pool) && pool >= 1 && pool <= 1000))
    throw new UsageError('--postgres-pool takes a number of connections, 1 to 1000');
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--postgres takes a postgres:// URL');
    return { kind: 'postgres', url, maxConnections: pool };
  }
  if (pool !== undefined) throw new UsageError('--postgres-pool goes with --postgres');
  // The demo starts afresh each time, so it always prints a token that works.
  if (options.demo && !options.db) return { kind: 'sqlite', file: join(await mkdtemp(join(tmpdir(), 'kubeward-demo-')), 'central.db') };
  return { kind: 'sqlite', file: resolve(io.cwd, options.db ?? io.env.KUBEWARD_CENTRAL_DB ?? '.kubeward/central.db') };
};

/**
 * `kubeward server`: central. Prints where it listens and, on a store with no admin token, a
 * one-time admin token; runs until SIGTERM or SIGINT.
 */
export const runServer = async (options: ServerCliOptions, io: Io, signal: AbortSignal): Promise<number> => {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0 picks a free one)');
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
  const tls =
    options.tlsCert && options.tlsKey
      ? { cert: await readFile(resolve(io.cwd, options.tlsCert)), key: await readFile(resolve(io.cwd, options.tlsKey)) }
      : undefined;
  const set = await policyGate({ ...options, quiet: options.quiet ?? false }, io);
  warnLapsed(lapsedExceptions(set, io.now()), io);
  const store = await storage(options, io);
  const hours = options.dbUpdateEvery === undefined ? undefined : Number(options.dbUpdateEvery);
  if (hours !== undefined && !(hours > 0)) throw new UsageError('--db-update-every takes hours, e.g. 6 (or 0.5)');
  if ((hours !== undefined || options.vulnDb) && !options.scanImages) throw new UsageError('--vuln-db and --db-update-every go with --scan-images');
  const imageScanning = options.scanImages
    ? {
        scanning: serverImageScanning({
          database: databaseDirectory(options.vulnDb, io.env, io.cwd),
          registry: await (
            await import('./image.js')
          ).registryOptions(
            {
              format: 'json',
              vulnerabilities: true,
              ...(options.insecureRegistry ? { insecureRegistry: true } : {}),
              ...(options.registryCa ? { registryCa: options.registryCa } : {}),
              ...(options.username ? { username: options.username } : {}),
            },
            io,
          ),
          cwd: io.cwd,
          env: io.env,
          now: io.now,
          mirror: options.osvMirror,
          warn: (message) => io.stderr(`kubeward: warning: ${message}\n`),
        }),
        updateEveryMs: hours === undefined ? undefined : hours * 3_600_000,
      }
    : undefined;
  const rate = options.rateLimit === undefined ? undefined : Number(options.rateLimit);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new UsageError('--rate-limit takes requests a second per token, above 0');
  const central = await startCentral({
    storage: store,
    ...(rate === undefined ? {} : { rateLimit: { rate, burst: rate * 2 } }),
    host: options.address,
    port,
    tls,
    set,
    version: io.version,
    now: io.now,
    log: options.logLevel === 'silent' ? false : { level: options.logLevel },
    imageScanning,
    demo: options.demo ? { inputs: [resolve(io.cwd, 'examples')], cwd: io.cwd, images: resolve(io.cwd, 'examples', 'images') } : undefined,
  });
  const where = store.kind === 'sqlite' ? `SQLite ${store.file}` : 'PostgreSQL';
  io.stderr(`kubeward: central on ${central.url} (${where}, schema ${central.store.schemaVersion})\n`);
  if (central.demo)
    io.stderr(
      `kubeward: demo cluster loaded: ${central.demo.workloads.created + central.demo.workloads.updated + central.demo.workloads.unchanged} workloads, ${central.demo.violations.opened + central.demo.violations.reopened + central.demo.violations.continuing} active violations\n`,
    );
  if (central.adminToken) {
    io.stderr(`kubeward: admin token (shown once, store it now): ${central.adminToken}\n`);
    io.stderr(`kubeward: try: curl -H 'Authorization: Bearer ${central.adminToken}' ${central.url}/api/v1/violations\n`);
    // The token rides in the fragment: the browser keeps it, no server or proxy log sees it.
    if (central.console) io.stderr(`kubeward: console: ${central.url}/#token=${central.adminToken}\n`);
  } else if (central.console) io.stderr(`kubeward: console: ${central.url}/ (sign in with an API token)\n`);
  await new Promise<void>((resolveStop) => (signal.aborted ? resolveStop() : signal.addEventListener('abort', () => resolveStop(), { once: true })));
  await central.close();
  return 0;
};
