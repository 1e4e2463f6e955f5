/**
 * Admission webhook benchmark: `kubeward admission serve` in a child process (HTTPS, the
 * default policies, privileged-container enforced), loaded by autocannon at fixed rates with
 * AdmissionReview v1 bodies of the demo application's real workloads (examples/), as the API
 * server would send them on `kubectl apply`. Prints latency percentiles per rate.
 *
 *   node dist/bench/admission.js [--rates 200,1000] [--duration 15] [--connections 8]
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadAll } from 'js-yaml';
import { WORKLOAD_RESOURCES, type WorkloadKind } from '../src/model/index.js';
import { round } from './measure.js';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '200,1000' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '8' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/** Every workload of examples/ as the AdmissionReview of its CREATE. */
const reviews = async (): Promise<string[]> => {
  const bodies: string[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.ya?ml$/.test(entry.name)) {
        for (const document of loadAll(await readFile(path, 'utf8')) as { kind?: string; apiVersion?: string; metadata?: { name?: string; namespace?: string } }[]) {
          const kind = document?.kind ? WORKLOAD_RESOURCES[document.kind as WorkloadKind] : undefined;
          if (!kind || !document.kind) continue;
          const version = (document.apiVersion ?? 'v1').split('/').pop() ?? 'v1';
          bodies.push(
            JSON.stringify({
              apiVersion: 'admission.k8s.io/v1',
              kind: 'AdmissionReview',
              request: {
                uid: `bench-${bodies.length}`,
                kind: { group: kind.group, version, kind: document.kind },
                resource: { group: kind.group, version, resource: kind.resource },
                name: document.metadata?.name,
                namespace: document.metadata?.namespace ?? 'default',
                operation: 'CREATE',
                userInfo: { username: 'ci-deployer', groups: ['system:authenticated'] },
                object: document,
                oldObject: null,
                dryRun: false,
                options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions', fieldManager: 'kubectl-client-side-apply' },
              },
            }),
          );
        }
      }
    }
  };
  await walk(join(root, 'examples'));
  return bodies;
};

const run = (command: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...command]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });

const main = async (): Promise<void> => {
  const rates = args.rates.split(',').map(Number);
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const tls = join((await import('node:os')).tmpdir(), `kubeward-bench-admission-${process.pid}`);
  const made = await run(['admission', 'manifests', '--url', 'https://127.0.0.1:1/validate', '--tls-dir', tls]);
  if (made.code !== 0) throw new Error(made.stderr);
  const ca = await readFile(join(tls, 'ca.crt'));
  const server = spawn(process.execPath, [bin, 'admission', 'serve', '--tls-cert', join(tls, 'tls.crt'), '--tls-key', join(tls, 'tls.key'), '--port', '0', '--address', '127.0.0.1', '--enforce', 'privileged-container', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /webhook on https:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    server.on('close', () => reject(new Error(`the webhook exited: ${stderr}`)));
  });
  try {
    const bodies = await reviews();
    log(`${bodies.length} AdmissionReviews of the demo workloads; webhook on port ${port}`);
    const requests = bodies.map((body) => ({ method: 'POST' as const, path: '/validate', headers: { 'content-type': 'application/json' }, body }));
    // Warm-up: the first requests compile regexes and fill caches.
    await autocannon({ url: `https://127.0.0.1:${port}`, requests, connections: 2, amount: 500, tlsOptions: { ca } });
    const results: Record<string, unknown>[] = [];
    for (const rate of rates) {
      log(`${rate} requests per second for ${duration} s`);
      const result = await autocannon({ url: `https://127.0.0.1:${port}`, requests, connections, overallRate: rate, duration, tlsOptions: { ca } });
      results.push({
        ratePerSecond: rate,
        achievedPerSecond: round(result.requests.average, 1),
        requests: result.requests.total,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, p999: result.latency.p99_9, max: result.latency.max, mean: round(result.latency.mean, 2) },
      });
    }
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'admission-webhook',
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version },
          input: { reviews: bodies.length, source: 'examples/ workloads as AdmissionReview v1 CREATE requests', policies: 'default DEPLOY-stage single-object policies, privileged-container enforced', connections, durationSeconds: duration, client: 'autocannon (same machine), latency corrected for coordinated omission' },
          results,
          goal: { p99Ms: 5, atRatePerSecond: 200 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    server.kill('SIGTERM');
  }
};

await main();
