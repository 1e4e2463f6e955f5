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
import { ADMISSION_NODE_OPTIONS } from '../src/admission/manifests.js';
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
        for (const document of loadAll(await readFile(path, 'utf8')) as {
          kind?: string;
          apiVersion?: string;
          metadata?: { name?: string; namespace?: string };
        }[]) {
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

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * An open-loop client with evenly spaced arrivals, as an API server sends reviews: request i is
 * due at start + i/rate and sent then, whatever is still in flight (no coordinated omission: the
 * client never waits for answers); its latency runs from the moment it was sent, and how late the
 * timer sent it is reported apart. autocannon's fixed rate instead sends each connection's quota
 * for the second back to back, then pauses: bursts, not a rate.
 */
const uniformLoad = async (port: number, ca: Buffer, bodies: readonly string[], rate: number, seconds: number, sockets: number) => {
  const { Agent, request } = await import('node:https');
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, ca });
  const total = rate * seconds;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now() + 10;
  const inFlight: Promise<void>[] = [];
  const late: number[] = [];
  const send = (index: number, due: number): void => {
    const body = bodies[index % bodies.length] as string;
    const sent = performance.now();
    late.push(sent - due);
    inFlight.push(
      new Promise<void>((resolve) => {
        const call = request(
          {
            host: '127.0.0.1',
            port,
            path: '/validate',
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (response) => {
            response.resume();
            response.on('end', () => {
              if (response.statusCode === 200) latencies.push(performance.now() - sent);
              else errors++;
              resolve();
            });
          },
        );
        call.on('error', () => {
          errors++;
          resolve();
        });
        call.end(body);
      }),
    );
  };
  // Timers fire late by up to a millisecond or so: every tick sends all that is due, never spinning.
  await new Promise<void>((done) => {
    let index = 0;
    const tick = (): void => {
      const now = performance.now();
      for (let due = started + (index * 1000) / rate; index < total && due <= now; due = started + (index * 1000) / rate) send(index++, due);
      if (index < total) setTimeout(tick, Math.max(0, started + (index * 1000) / rate - performance.now()));
      else done();
    };
    tick();
  });
  await Promise.all(inFlight);
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const lateness = [...late].sort((a, b) => a - b);
  return {
    ratePerSecond: rate,
    requests: total,
    errors,
    senderLatenessMs: { p50: round(percentile(lateness, 50), 2), p99: round(percentile(lateness, 99), 2) },
    latencyMs: {
      p50: round(percentile(sorted, 50), 2),
      p90: round(percentile(sorted, 90), 2),
      p99: round(percentile(sorted, 99), 2),
      p999: round(percentile(sorted, 99.9), 2),
      max: round(sorted.at(-1) ?? Number.NaN, 2),
    },
  };
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
  // The Node options `kubeward admission manifests` installs the webhook with.
  const server = spawn(
    process.execPath,
    [
      ...ADMISSION_NODE_OPTIONS.split(' '),
      bin,
      'admission',
      'serve',
      '--tls-cert',
      join(tls, 'tls.crt'),
      '--tls-key',
      join(tls, 'tls.key'),
      '--port',
      '0',
      '--address',
      '127.0.0.1',
      '--enforce',
      'privileged-container',
      '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
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
    const uniform: Record<string, unknown>[] = [];
    for (const rate of rates) {
      log(`${rate} requests per second for ${duration} s, evenly spaced`);
      uniform.push(await uniformLoad(port, ca, bodies, rate, duration, connections));
    }
    const results: Record<string, unknown>[] = [];
    for (const rate of rates) {
      log(`${rate} requests per second for ${duration} s (autocannon)`);
      const result = await autocannon({ url: `https://127.0.0.1:${port}`, requests, connections, overallRate: rate, duration, tlsOptions: { ca } });
      results.push({
        ratePerSecond: rate,
        achievedPerSecond: round(result.requests.average, 1),
        requests: result.requests.total,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        latencyMs: {
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          p999: result.latency.p99_9,
          max: result.latency.max,
          mean: round(result.latency.mean, 2),
        },
      });
    }
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'admission-webhook',
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version },
          input: {
            serverNodeOptions: ADMISSION_NODE_OPTIONS,
            reviews: bodies.length,
            source: 'examples/ workloads as AdmissionReview v1 CREATE requests',
            policies: 'default DEPLOY-stage single-object policies, privileged-container enforced',
            connections,
            durationSeconds: duration,
            client: 'same machine as the webhook (2 cores shared)',
          },
          evenlySpaced: {
            client: 'open loop in this process, arrivals every 1/rate s, latency from the send, keep-alive HTTPS with the given number of sockets',
            results: uniform,
          },
          autocannon: {
            client:
              'autocannon --overallRate: each connection sends its per-second quota back to back, then waits for the next second (bursts); latency corrected for coordinated omission',
            results,
          },
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
