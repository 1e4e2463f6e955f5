/**
 * Central benchmark, on SQLite and on PostgreSQL (a throwaway server), in this process:
 *
 * - ingest: a 10,000-workload cluster (the risk benchmark's corpus: 200 namespaces, RBAC,
 *   NetworkPolicies, Services) with 100 image scans pushed first as CI does, posted as one
 *   snapshot; seconds until the answer, when the state is queryable. The same snapshot again
 *   must change nothing (idempotent).
 * - equal to the CLI: the violations central holds are the findings `kubeward scan` reports on the
 *   same file (plus the image policies' violations, which need the scans the CLI scan lacks).
 * - reads: 20 clients at once on the violations list and the risk-ranked workloads list, paged
 *   50 at a time: p50, p99 and requests a second.
 * - replicas (PostgreSQL): a second server on the same database serves the same data and takes a
 *   change batch the first one then shows.
 *
 *   node dist/bench/central.js [--namespaces 200] [--workloads-per-namespace 50] [--images 100]
 *                              [--vulnerabilities-per-image 200] [--clients 20] [--seconds 10]
 *                              [--stores sqlite,postgres] [--postgres-pool 10]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import jsYaml from 'js-yaml';
import { resolvePolicySet } from '../src/app/index.js';
import { isImagePolicy } from '../src/policy/index.js';
import { startPostgres, type ThrowawayPostgres } from '../test/support/postgres.js';
import { round } from './measure.js';
import { riskCorpus, scanReport } from './risk-corpus.js';

const { values: args } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '200' },
    'workloads-per-namespace': { type: 'string', default: '50' },
    images: { type: 'string', default: '100' },
    'vulnerabilities-per-image': { type: 'string', default: '200' },
    clients: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    stores: { type: 'string', default: 'sqlite,postgres' },
    'postgres-pool': { type: 'string' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
const run = promisify(execFile);

// Node flags for the server alone, e.g. BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes.
const serverNodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/** A server as users run it, in a process of its own: the load generator does not share its event loop. */
interface Server {
  readonly url: string;
  readonly token?: string | undefined;
  readonly stop: () => Promise<void>;
}

const startServer = (storeFlags: readonly string[], freshStore = true): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [...serverNodeFlags, bin, 'server', ...storeFlags, '--port', '0', '--rate-limit', '1000000', '--log-level', 'silent', '--quiet'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    };
    child.once('exit', (code) => reject(new Error(`kubeward server exited ${code}: ${stderr}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /central on (http:\/\/[\d.]+:\d+)/.exec(stderr)?.[1];
      // The token line follows the URL line when the store is new.
      if (url && (/admin token[^\n]*: (kw_\S+)\n/.test(stderr) || !freshStore))
        resolve({ url, token: /admin token[^\n]*: (kw_\S+)\n/.exec(stderr)?.[1], stop });
    });
  });

// A plain keep-alive client, as load tools use: fetch costs the load generator several times the
// CPU per request, and on two cores that CPU is taken from the server being measured.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** The answer's body as text, once the last byte is in. */
const requestText = (central: { readonly url: string }, token: string, method: string, path: string, body?: unknown): Promise<string> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = http.request(
      `${central.url}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`));
          else resolve(text);
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });

const request = async (central: { readonly url: string }, token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> =>
  JSON.parse(await requestText(central, token, method, path, body)) as Record<string, unknown>;

/**
 * A page's cursor, read from the end of its text (the server writes `next` last): parsing each
 * page whole would cost the load generator a third of a core, taken from the server measured.
 */
const nextCursor = (page: string): string | undefined => {
  const found = /"next":("(?:[^"\\]|\\.)*")\}$/.exec(page.slice(-2100));
  return found?.[1] ? (JSON.parse(found[1]) as string) : undefined;
};

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * `clients` loops, each paging on through the list for `seconds` after a second of warming up
 * (compiling the server's hot paths, filling the database's cache): latency of every request,
 * from sending it to its last byte.
 */
const load = async (central: Server, token: string, path: string, clients: number, seconds: number) => {
  const latencies: number[] = [];
  const pageBytes = Buffer.byteLength(await requestText(central, token, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=50`));
  const warm = performance.now() + 1000;
  const until = warm + seconds * 1000;
  const page = (cursor: string | undefined) =>
    requestText(central, token, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      let cursor: string | undefined;
      // Clients start on different pages, as users do.
      for (let skip = 0; skip < client % 5; skip++) cursor = nextCursor(await page(cursor));
      for (let now = performance.now(); now < until; now = performance.now()) {
        const text = await page(cursor);
        if (now >= warm) latencies.push(performance.now() - now);
        cursor = nextCursor(text);
      }
    }),
  );
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    perSecond: round(sorted.length / seconds, 1),
    pageBytes,
  };
};

const allViolations = async (central: Server, token: string): Promise<Set<string>> => {
  const keys = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await request(central, token, 'GET', `/api/v1/violations?limit=500&sort=policy${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const item of page.items as { namespace: string; object: { kind: string; name: string }; container: string; policy: { id: string } }[])
      keys.add(`${item.namespace}/${item.object.kind}/${item.object.name}/${item.container}/${item.policy.id}`);
    cursor = page.next as string | undefined;
  } while (cursor);
  return keys;
};

const main = async (): Promise<void> => {
  const namespaces = Number(args.namespaces);
  const perNamespace = Number(args['workloads-per-namespace']);
  const imageCount = Number(args.images);
  const clients = Number(args.clients);
  const seconds = Number(args.seconds);
  const directory = await mkdtemp(join(tmpdir(), 'kubeward-bench-central-'));
  const corpusFile = join(directory, 'cluster.yaml');
  const corpus = riskCorpus(namespaces, perNamespace, 2000, imageCount);
  await writeFile(corpusFile, corpus);
  const objects = jsYaml.loadAll(corpus);
  const reports = Array.from({ length: imageCount }, (_, index) => JSON.parse(scanReport(index, Number(args['vulnerabilities-per-image']))) as unknown);
  log(`${namespaces * perNamespace} workloads, ${objects.length} objects, ${imageCount} image scans`);

  // What the CLI reports on the same file.
  const scanned = await run(process.execPath, [bin, 'scan', corpusFile, '--format', 'json', '--no-fail'], {
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const cliFindings = new Set(
    (
      JSON.parse(scanned.stdout) as {
        findings: { policyId: string; object: { kind: string; name: string; namespace?: string }; container?: string }[];
      }
    ).findings.map(
      (finding) => `${finding.object.namespace ?? ''}/${finding.object.kind}/${finding.object.name}/${finding.container ?? ''}/${finding.policyId}`,
    ),
  );
  const set = await resolvePolicySet({ cwd: directory, paths: [], enable: [], disable: [], only: [], builtIn: true });
  const imagePolicies = new Set(set.policies.active.filter(isImagePolicy).map((compiled) => compiled.policy.id));

  const results: Record<string, unknown>[] = [];
  let postgres: ThrowawayPostgres | undefined;
  try {
    for (const kind of (args.stores ?? '').split(',').filter(Boolean)) {
      let flags: string[];
      if (kind === 'postgres') {
        postgres ??= await startPostgres();
        flags = [
          '--postgres',
          await postgres.database(`bench_${Date.now().toString(36)}`),
          ...(args['postgres-pool'] ? ['--postgres-pool', args['postgres-pool']] : []),
        ];
      } else flags = ['--db', join(directory, `central-${Date.now()}.db`)];
      const central = await startServer(flags);
      const token = central.token ?? '';
      try {
        let started = performance.now();
        for (const [index, report] of reports.entries())
          await request(central, token, 'POST', '/api/v1/ci/results', { kind: 'image-scan', repository: 'bench/images', commit: `c${index}`, report });
        const imagesSeconds = (performance.now() - started) / 1000;
        started = performance.now();
        const first = await request(central, token, 'POST', '/api/v1/clusters/bench/snapshots', { snapshotId: 'bench-1', objects });
        const ingestSeconds = (performance.now() - started) / 1000;
        started = performance.now();
        const again = await request(central, token, 'POST', '/api/v1/clusters/bench/snapshots', { snapshotId: 'bench-1', objects });
        const duplicateSeconds = (performance.now() - started) / 1000;
        const held = await allViolations(central, token);
        const missing = [...cliFindings].filter((key) => !held.has(key));
        const extra = [...held].filter((key) => !cliFindings.has(key) && !imagePolicies.has(key.split('/').at(-1) ?? ''));
        const [cluster] = (await request(central, token, 'GET', '/api/v1/clusters')).items as { workloads: number; activeViolations: number }[];
        log(`${kind}: ingested in ${round(ingestSeconds)} s; ${held.size} violations; loading the lists`);
        const violations = await load(central, token, '/api/v1/violations', clients, seconds);
        const risk = await load(central, token, '/api/v1/workloads', clients, seconds);
        let replicas: Record<string, unknown> | undefined;
        if (kind === 'postgres') {
          const second = await startServer(flags, false);
          try {
            const [there] = (await request(second, token, 'GET', '/api/v1/clusters')).items as {
              workloads: number;
              activeViolations: number;
              generation: number;
            }[];
            const batchStarted = performance.now();
            const batch = await request(second, token, 'POST', '/api/v1/clusters/bench/changes', {
              snapshotId: 'bench-1',
              sequence: 1,
              upserts: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'Deployment',
                  metadata: { name: 'added-on-replica', namespace: 'ns-0' },
                  spec: {
                    selector: { matchLabels: { app: 'added' } },
                    template: {
                      metadata: { labels: { app: 'added' } },
                      spec: { containers: [{ name: 'main', image: 'nginx', securityContext: { privileged: true } }] },
                    },
                  },
                },
              ],
              deletes: [],
            });
            const changeBatchSeconds = round((performance.now() - batchStarted) / 1000);
            const seenOnFirst = (await request(central, token, 'GET', '/api/v1/workloads?search=added-on-replica')).items as unknown[];
            replicas = {
              sameData: there?.workloads === cluster?.workloads && there?.activeViolations === cluster?.activeViolations,
              secondIngested: batch.duplicate === false,
              changeBatchSeconds,
              firstSeesIt: seenOnFirst.length === 1,
            };
          } finally {
            await second.stop();
          }
        }
        results.push({
          store: kind,
          workloads: cluster?.workloads,
          violations: held.size,
          imagesPushSeconds: round(imagesSeconds),
          ingestSeconds: round(ingestSeconds),
          ingestTally: { workloads: first.workloads, violations: first.violations },
          idempotent: again.duplicate === true,
          duplicateSeconds: round(duplicateSeconds),
          equalToCli: {
            cliFindings: cliFindings.size,
            missing: missing.length,
            extraBesideImagePolicies: extra.length,
            sampleMissing: missing.slice(0, 3),
            sampleExtra: extra.slice(0, 3),
          },
          reads: { clients, seconds, violations, riskRankedWorkloads: risk },
          ...(replicas ? { replicas } : {}),
        });
      } finally {
        await central.stop();
      }
    }
  } finally {
    await postgres?.stop();
    await rm(directory, { recursive: true, force: true });
  }
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'central', machine: { cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version }, targets: { ingestSeconds: 10, p99Ms: 50 }, results }, null, 2)}\n`,
  );
};

await main();
