import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { admissionInstall, admissionRecord, lapsedExceptions, openCentral, serveAdmission, type AdmissionCentralEvent } from '../../app/index.js';
import { policyGate, warnLapsed, type PolicySelectionFlags } from '../policy-gate.js';

export interface AdmissionServeOptions extends PolicySelectionFlags {
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly clientCa?: string;
  readonly port: string;
  readonly address: string;
  readonly enforce: readonly string[];
  readonly excludeNamespace: readonly string[];
  readonly excludeUser: readonly string[];
  /** commander's --no-default-exclusions */
  readonly defaultExclusions: boolean;
  /** commander's --no-break-glass */
  readonly breakGlass: boolean;
  readonly timeBudget: string;
  readonly hardTimeout?: string;
  readonly workers?: string;
  readonly maxConnections?: string;
  readonly maxConnectionsPerSource?: string;
  readonly failurePolicy: string;
  readonly quiet?: boolean;
  readonly central?: string;
  readonly cluster: string;
  readonly tokenFile?: string;
  readonly centralCa?: string;
  readonly centralRefresh: string;
}

const readPem = async (file: string | undefined, flag: string, io: Io): Promise<Buffer> => {
  if (!file)
    throw new UsageError(`${flag} is required: the webhook serves HTTPS only`, 'kubeward admission manifests --tls-dir ./tls writes a CA, certificate and key');
  try {
    return await readFile(resolve(io.cwd, file));
  } catch (error) {
    throw new KnownError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
};

/**
 * `kubeward admission serve`: the validating webhook. Decisions are JSON lines on stdout (denials,
 * warnings and break-glass deploys; `allowed` and `skipped` only without --quiet); it runs until
 * SIGTERM or SIGINT, then closes its listener and lets requests in flight finish.
 */
export const runAdmissionServe = async (options: AdmissionServeOptions, io: Io, signal: AbortSignal): Promise<number> => {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not ${JSON.stringify(options.port)}`);
  const timeBudgetMs = Number(options.timeBudget);
  if (!Number.isFinite(timeBudgetMs) || timeBudgetMs < 0) throw new UsageError('--time-budget takes milliseconds, e.g. 3000');
  if (options.failurePolicy !== 'open' && options.failurePolicy !== 'closed') throw new UsageError('--failure-policy must be open or closed');
  const whole = (value: string | undefined, flag: string, minimum: number): number | undefined => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number < minimum) throw new UsageError(`${flag} takes a whole number from ${minimum}, not ${JSON.stringify(value)}`);
    return number;
  };
  const hardTimeoutMs = whole(options.hardTimeout, '--hard-timeout', 1);
  const workers = whole(options.workers, '--workers', 1);
  const maxConnections = whole(options.maxConnections, '--max-connections', 1);
  const maxConnectionsPerSource = whole(options.maxConnectionsPerSource, '--max-connections-per-source', 1);
  const [cert, key] = [await readPem(options.tlsCert, '--tls-cert', io), await readPem(options.tlsKey, '--tls-key', io)];
  const clientCa = options.clientCa ? await readPem(options.clientCa, '--client-ca', io) : undefined;
  const refreshSeconds = whole(options.centralRefresh, '--central-refresh', 1) ?? 30;
  const client = options.central
    ? openCentral({
        url: options.central,
        tokenFile: options.tokenFile,
        caFile: options.centralCa,
        cwd: io.cwd,
        env: io.env,
        userAgent: `kubeward-admission/${io.version}`,
        // A webhook must come up even when central does not answer: it starts on the local set.
        timeoutMs: 5000,
      })
    : undefined;
  const set = await policyGate({ ...options, quiet: options.quiet ?? false }, io);
  warnLapsed(lapsedExceptions(set, io.now()), io);
  const said = (event: AdmissionCentralEvent): string => {
    switch (event.event) {
      case 'policies-updated':
        return `policies from central, revision ${event.revision}: ${event.policies} DEPLOY-stage, ${event.enforced} enforced${event.invalid.length ? `; left out, not compiling here: ${event.invalid.join(', ')}` : ''}`;
      case 'central-unreachable':
        return `warning: central is unreachable (${event.message}); enforcing ${event.keeping}`;
      case 'central-back':
        return 'central is reachable again';
      default:
        return `warning: ${event.dropped} decisions were dropped while central was away (the buffer holds 10,000)`;
    }
  };
  const service = await serveAdmission({
    ...(client
      ? { central: { client, cluster: options.cluster, refreshMs: refreshSeconds * 1000, emit: (event) => io.stderr(`kubeward: admission: ${said(event)}\n`) } }
      : {}),
    set,
    enforce: options.enforce,
    cert,
    key,
    ...(clientCa ? { clientCa } : {}),
    port,
    host: options.address,
    excludedNamespaces: options.excludeNamespace,
    excludedUsers: options.excludeUser,
    defaultExclusions: options.defaultExclusions,
    breakGlass: options.breakGlass,
    timeBudgetMs,
    ...(hardTimeoutMs === undefined ? {} : { hardTimeoutMs }),
    ...(workers === undefined ? {} : { workers }),
    ...(maxConnections === undefined ? {} : { maxConnections }),
    ...(maxConnectionsPerSource === undefined ? {} : { maxConnectionsPerSource }),
    failurePolicy: options.failurePolicy,
    now: io.now,
    onDecision: (decision, elapsedMs) => {
      if (options.quiet && (decision.outcome === 'allowed' || decision.outcome === 'skipped')) return;
      void io.stdout(`${JSON.stringify(admissionRecord(decision, elapsedMs, io.now()))}\n`);
    },
    onError: (message) => io.stderr(`kubeward: admission: ${message}\n`),
  });
  for (const id of service.skipped) io.stderr(`kubeward: warning: ${id} has no DEPLOY stage; it cannot be enforced at admission\n`);
  const { enforced } = service;
  io.stderr(
    `kubeward: admission webhook on https://${options.address}:${service.port}/validate: ${service.policies.length} DEPLOY-stage policies${service.source.from === 'central' ? ` from central (revision ${service.source.revision})` : client ? ' (local: central did not answer)' : ''}, ${enforced.length} enforced${enforced.length ? ` (${enforced.join(', ')})` : ''}; failure policy ${options.failurePolicy}, time budget ${timeBudgetMs} ms${clientCa ? '; client certificates required' : ''}\n`,
  );
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  await service.close();
  return 0;
};

export interface AdmissionManifestsOptions {
  readonly namespace: string;
  readonly image?: string;
  readonly failurePolicy: string;
  readonly timeout: string;
  readonly enforce: readonly string[];
  readonly excludeNamespace: readonly string[];
  readonly replicas: string;
  readonly certManager?: boolean;
  readonly url?: string;
  readonly tlsDir?: string;
  readonly webhookOnly?: boolean;
  readonly days: string;
}

/** `kubeward admission manifests`: the YAML to install the webhook, with fresh certificates unless cert-manager makes them. */
export const runAdmissionManifests = async (options: AdmissionManifestsOptions, io: Io): Promise<number> => {
  const failurePolicy = options.failurePolicy === 'Ignore' || options.failurePolicy === 'Fail' ? options.failurePolicy : undefined;
  if (!failurePolicy) throw new UsageError('--failure-policy must be Ignore or Fail');
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 30)
    throw new UsageError('--timeout is whole seconds from 1 to 30 (the API server caps webhooks at 30)');
  const replicas = Number(options.replicas);
  if (!Number.isInteger(replicas) || replicas < 1) throw new UsageError('--replicas must be a whole number above 0');
  const days = Number(options.days);
  if (!Number.isInteger(days) || days < 1) throw new UsageError('--days must be a whole number above 0');
  if (options.certManager && (options.url || options.tlsDir))
    throw new UsageError('--cert-manager makes the certificate in the cluster: it goes with neither --url nor --tls-dir');
  let url: URL | undefined;
  if (options.url) {
    try {
      url = new URL(options.url);
    } catch {
      throw new UsageError(`--url ${options.url} is not a URL`);
    }
    if (url.protocol !== 'https:') throw new UsageError('--url must be https: the API server only calls webhooks over TLS');
  }
  const { objects, certificates } = admissionInstall({
    namespace: options.namespace,
    image: options.image ?? `ghcr.io/kubeward/kubeward:${io.version}`,
    failurePolicy,
    timeoutSeconds,
    excludedNamespaces: options.excludeNamespace,
    enforce: options.enforce,
    replicas,
    certManager: options.certManager ?? false,
    url,
    webhookOnly: options.webhookOnly ?? false,
    days,
    now: io.now(),
  });
  if (options.tlsDir && certificates) {
    const directory = resolve(io.cwd, options.tlsDir);
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'ca.crt'), certificates.caCert);
    await writeFile(join(directory, 'tls.crt'), certificates.cert);
    await writeFile(join(directory, 'tls.key'), certificates.key, { mode: 0o600 });
    io.stderr(`kubeward: wrote ca.crt, tls.crt and tls.key to ${options.tlsDir}\n`);
  }
  await io.stdout(objects.map((object) => dump(object, { lineWidth: -1, noRefs: true })).join('---\n'));
  return 0;
};
