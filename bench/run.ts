/**
 * `npm run bench`: scans a generated corpus of realistic workloads with Kubeward and, in the same
 * run, with the peers that are installed (kube-linter, kube-score, Trivy), and prints the
 * figures as JSON. Timed as users run the tools: whole processes, wall time and peak RSS.
 *
 *   node dist/bench/run.js [--workloads 10000] [--runs 3] [--peers kube-linter,kube-score] [--trivy]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { cpus, homedir, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSnapshot, DEFAULT_LOAD_OPTIONS, loadInputs } from '../src/k8s/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files.js';
import { evaluatePolicies, selectPolicies } from '../src/policy/index.js';
import { writeCorpus, type CorpusStats } from './corpus.js';

const { values: args } = parseArgs({
  options: {
    workloads: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    peers: { type: 'string', default: 'kube-linter,kube-score' },
    trivy: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '600' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

interface Measurement {
  readonly wallSeconds: number;
  readonly peakRssMB: number;
  readonly exitCode: number | null;
  readonly stdoutBytes: number;
  readonly timedOut: boolean;
}

/** Runs a command to completion, sampling its peak resident set (VmHWM) from /proc while it runs. */
const measure = (command: string, commandArgs: readonly string[], timeoutSeconds: number): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'ignore'] });
    let peak = 0;
    let stdoutBytes = 0;
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const match = /VmHWM:\s+(\d+) kB/.exec(status);
        if (match) peak = Math.max(peak, Number(match[1]) / 1024);
      } catch {
        // the process just exited
      }
    };
    const timer = setInterval(sample, 5);
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSeconds * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      clearTimeout(killer);
      resolve({ wallSeconds: (performance.now() - started) / 1000, peakRssMB: Math.round(peak), exitCode: code, stdoutBytes, timedOut });
    });
  });

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** Finds a peer on PATH or in Go's bin directory. */
const findTool = (name: string): string | undefined => {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const goBin = join(process.env.GOBIN ?? join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin'), name);
  return existsSync(goBin) ? goBin : undefined;
};

const version = (tool: string, versionArgs: string[]): string =>
  spawnSync(tool, versionArgs, { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? 'unknown';

/** kube-linter installs with `go install`; try once and keep the reason when the module proxy refuses it. */
const installKubeLinter = (): { path?: string; reason?: string } => {
  const found = findTool('kube-linter');
  if (found) return { path: found };
  if (!findTool('go')) return { reason: 'Go is not installed' };
  log('kube-linter not found; trying go install golang.stackrox.io/kube-linter/cmd/kube-linter@latest');
  const result = spawnSync('go', ['install', 'golang.stackrox.io/kube-linter/cmd/kube-linter@latest'], { encoding: 'utf8', timeout: 600_000 });
  const installed = findTool('kube-linter');
  if (installed) return { path: installed };
  return { reason: `go install failed: ${(result.stderr || result.stdout || '').trim().split('\n').slice(-2).join(' ')}` };
};

const main = async (): Promise<void> => {
  const workloads = Number(args.workloads);
  const runs = Number(args.runs);
  const timeout = Number(args.timeout);
  const corpusDirectory = join(tmpdir(), `kubeward-bench-corpus-${workloads}`);
  await rm(corpusDirectory, { recursive: true, force: true });
  await mkdir(corpusDirectory, { recursive: true });
  log(`writing ${workloads} workloads to ${corpusDirectory}`);
  const corpus: CorpusStats = await writeCorpus(corpusDirectory, workloads);
  const files = (await readdir(corpusDirectory)).sort().map((name) => join(corpusDirectory, name));

  // Whole CLI runs, as users run it: read, parse, evaluate, render JSON. Once with every
  // built-in policy (`--enable '*'`), once with the policies enabled by default.
  const bin = join(root, 'dist/src/cli/bin.js');
  const { policies } = await loadPolicyPath(builtInPolicyDirectory(), root);
  const loaded = await (async () => {
    const started = performance.now();
    const result = await loadInputs([corpusDirectory], { ...DEFAULT_LOAD_OPTIONS, cwd: corpusDirectory, stdin: () => [] });
    return { result, seconds: (performance.now() - started) / 1000 };
  })();
  const snapshot = buildSnapshot(loaded.result.objects);
  const profile = async (label: string, extra: string[], enable: string[]) => {
    const cliArgs = [bin, 'scan', corpusDirectory, '--format', 'json', '--no-fail', '--quiet', ...extra];
    const measured: Measurement[] = [];
    for (let run = 0; run < runs; run++) {
      log(`kubeward (${label}) run ${run + 1}/${runs}`);
      measured.push(await measure(process.execPath, cliArgs, timeout));
    }
    const report = spawnSync(process.execPath, cliArgs, { encoding: 'utf8', maxBuffer: 1 << 30 });
    const summary = (JSON.parse(report.stdout) as { summary: { findings: number; policies: number; objects: number } }).summary;
    const selected = selectPolicies(policies, [], { enable, disable: [], only: [] }, 'bench');
    const evaluation: number[] = [];
    for (let run = 0; run < runs; run++) {
      const begin = performance.now();
      evaluatePolicies(snapshot, selected.active, { now: new Date(), stages: ['BUILD', 'DEPLOY'] });
      evaluation.push((performance.now() - begin) / 1000);
    }
    return {
      command: `kubeward scan ${corpusDirectory} --format json --no-fail ${extra.map((arg) => (arg === '*' ? "'*'" : arg)).join(' ')}`.trim(),
      policies: summary.policies,
      objects: summary.objects,
      findings: summary.findings,
      wallSeconds: { median: round(median(measured.map((run) => run.wallSeconds))), runs: measured.map((run) => round(run.wallSeconds)) },
      peakRssMB: { max: Math.max(...measured.map((run) => run.peakRssMB)), runs: measured.map((run) => run.peakRssMB) },
      evaluateSecondsInProcess: { median: round(median(evaluation)), runs: evaluation.map((value) => round(value)) },
    };
  };
  const allPolicies = await profile('all built-in policies', ['--enable', '*'], ['*']);
  const defaultPolicies = await profile('policies enabled by default', [], []);

  const kubewardWall = allPolicies.wallSeconds.median;
  const peers: Record<string, unknown> = {};
  const wanted = new Set((args.peers ?? '').split(',').filter(Boolean));
  if (wanted.has('kube-linter')) {
    const { path, reason } = installKubeLinter();
    if (!path) peers['kube-linter'] = { available: false, reason };
    else {
      log('kube-linter');
      const measured = await measure(path, ['lint', '--format', 'json', corpusDirectory], timeout);
      peers['kube-linter'] = { available: true, version: version(path, ['version']), ...measured, wallRatioVersusKubeward: round(measured.wallSeconds / kubewardWall) };
    }
  }
  if (wanted.has('kube-score')) {
    const path = findTool('kube-score');
    if (!path) peers['kube-score'] = { available: false, reason: 'not installed (go install github.com/zegl/kube-score/cmd/kube-score@latest)' };
    else {
      log('kube-score');
      const measured = await measure(path, ['score', '--output-format', 'json', ...files], timeout);
      peers['kube-score'] = { available: true, version: version(path, ['version']), ...measured, wallRatioVersusKubeward: round(measured.wallSeconds / kubewardWall) };
    }
  }
  if (args.trivy) {
    const path = findTool('trivy');
    if (!path) peers.trivy = { available: false, reason: 'not installed' };
    else {
      log('trivy config');
      const measured = await measure(path, ['config', '--skip-check-update', '--quiet', '--format', 'json', '--timeout', `${timeout}s`, corpusDirectory], timeout + 30);
      peers.trivy = { available: true, version: version(path, ['--version']), ...measured, wallRatioVersusKubeward: round(measured.wallSeconds / kubewardWall) };
    }
  }

  const figures = {
    benchmark: 'scan-workloads',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version },
    corpus: { ...corpus, megabytes: round(corpus.bytes / 1e6, 1), directory: corpusDirectory },
    kubeward: {
      loadSecondsInProcess: round(loaded.seconds),
      allBuiltInPolicies: allPolicies,
      enabledByDefault: defaultPolicies,
    },
    targets: {
      evaluateAllBuiltInPoliciesUnder2s: allPolicies.evaluateSecondsInProcess.median < 2,
      wholeScanUnder2s: allPolicies.wallSeconds.median < 2,
      peakRssUnder400MB: allPolicies.peakRssMB.max < 400 && defaultPolicies.peakRssMB.max < 400,
    },
    peers,
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
};

await main();
