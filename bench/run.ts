/**
 * `npm run bench`: scans a generated corpus of realistic workloads with Kubeward and, in the same
 * run, measures the parse floor (reading and parsing every document with js-yaml, nothing else)
 * and the peers that are installed (kube-linter, kube-score on the whole corpus; Trivy's `config`
 * scan on a 2,000-workload slice, since it takes minutes). Timed as users run the tools: whole
 * processes, wall time and peak RSS. Prints the figures, ratios and targets as JSON.
 *
 *   node dist/bench/run.js [--workloads 10000] [--slice 2000] [--runs 3] [--peers kube-linter,kube-score,trivy]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSnapshot } from '../src/k8s/index.js';
import { DEFAULT_LOAD_OPTIONS, loadInputs } from '../src/k8s/files/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files/index.js';
import { evaluatePolicies, selectPolicies } from '../src/policy/index.js';
import { writeCorpus, type CorpusStats } from './corpus.js';
import { findTool, goModuleVersion, measure, median, round, summarise, type Measurement } from './measure.js';

const { values: args } = parseArgs({
  options: {
    workloads: { type: 'string', default: '10000' },
    slice: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    peers: { type: 'string', default: 'kube-linter,kube-score,trivy' },
    timeout: { type: 'string', default: '900' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

const version = (tool: string, versionArgs: string[]): string => spawnSync(tool, versionArgs, { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? 'unknown';

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

const corpusOf = async (workloads: number): Promise<{ directory: string; stats: CorpusStats; files: string[] }> => {
  const directory = join(tmpdir(), `kubeward-bench-corpus-${workloads}`);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  log(`writing ${workloads} workloads to ${directory}`);
  const stats = await writeCorpus(directory, workloads);
  return { directory, stats, files: (await readdir(directory)).sort().map((name) => join(directory, name)) };
};

const repeat = async (label: string, runs: number, command: string, commandArgs: readonly string[], timeout: number): Promise<Measurement[]> => {
  const measured: Measurement[] = [];
  for (let run = 0; run < runs; run++) {
    log(`${label} run ${run + 1}/${runs}`);
    measured.push(await measure(command, commandArgs, timeout, process.env, 'head'));
  }
  return measured;
};

/** The counts a JSON scan report opens with (its summary comes before the findings). */
const reportCounts = (head: string): { policies: number; objects: number; findings: number } => {
  const count = (key: string): number => Number(new RegExp(`"${key}": (\\d+)`).exec(head)?.[1] ?? Number.NaN);
  return { objects: count('objects'), policies: count('policies'), findings: count('findings') };
};

const kubewardScan = async (label: string, directory: string, extra: readonly string[], runs: number, timeout: number) => {
  const cliArgs = [bin, 'scan', directory, '--format', 'json', '--no-fail', '--quiet', ...extra];
  const measured = await repeat(`kubeward (${label})`, runs, process.execPath, cliArgs, timeout);
  const last = measured.at(-1) as Measurement;
  return {
    command: `kubeward scan ${directory} --format json --no-fail ${extra.map((arg) => (arg === '*' ? "'*'" : arg)).join(' ')}`.trim(),
    ...reportCounts(last.stdout),
    reportMB: round(last.stdoutBytes / 1e6, 1),
    ...summarise(measured),
  };
};

const main = async (): Promise<void> => {
  const runs = Number(args.runs);
  const timeout = Number(args.timeout);
  const wanted = new Set((args.peers ?? '').split(',').filter(Boolean));
  const corpus = await corpusOf(Number(args.workloads));

  // The floor, in the same run and measured the same way.
  const floorRuns = await repeat('parse floor (js-yaml)', runs, process.execPath, [join(root, 'dist/bench/parse-floor.js'), corpus.directory], timeout);
  const floor = {
    what: 'read every file and js-yaml loadAll every document, nothing else',
    documents: (JSON.parse((floorRuns.at(-1) as Measurement).stdout) as { documents: number }).documents,
    ...summarise(floorRuns),
  };
  const floorSeconds = floor.wallSeconds.median;

  const defaultPolicies = await kubewardScan('policies enabled by default', corpus.directory, [], runs, timeout);
  const allPolicies = await kubewardScan('every built-in policy', corpus.directory, ['--enable', '*'], runs, timeout);
  const twoThreads = await kubewardScan('policies enabled by default, 2 threads', corpus.directory, ['--threads', '2'], runs, timeout);

  // Policy evaluation alone, in this process, on objects already loaded.
  const { policies } = await loadPolicyPath(builtInPolicyDirectory(), root);
  const loaded = await loadInputs([corpus.directory], { ...DEFAULT_LOAD_OPTIONS, cwd: corpus.directory, stdin: () => [] });
  const snapshot = buildSnapshot(loaded.objects);
  const evaluation = (enable: string[]) => {
    const selected = selectPolicies(policies, [], { enable, disable: [], only: [] }, 'bench');
    const seconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      const begin = performance.now();
      evaluatePolicies(snapshot, selected.active, { now: new Date(), stages: ['BUILD', 'DEPLOY'] });
      seconds.push((performance.now() - begin) / 1000);
    }
    return { median: round(median(seconds)), runs: seconds.map((value) => round(value)) };
  };
  const evaluateSecondsInProcess = { enabledByDefault: evaluation([]), allBuiltInPolicies: evaluation(['*']) };

  const peers: Record<string, unknown> = {};
  const versus = (peer: Measurement[], kubeward: { wallSeconds: { median: number } }) =>
    round(median(peer.map((run) => run.wallSeconds)) / kubeward.wallSeconds.median);
  if (wanted.has('kube-linter')) {
    const { path, reason } = installKubeLinter();
    if (!path) peers['kube-linter'] = { available: false, reason };
    else {
      const measured = await repeat('kube-linter', 1, path, ['lint', '--format', 'json', corpus.directory], timeout);
      peers['kube-linter'] = {
        available: true,
        version: version(path, ['version']),
        corpus: 'whole',
        ...summarise(measured),
        wallRatioVersusKubewardDefault: versus(measured, defaultPolicies),
      };
    }
  }
  if (wanted.has('kube-score')) {
    const path = findTool('kube-score');
    if (!path) peers['kube-score'] = { available: false, reason: 'not installed (go install github.com/zegl/kube-score/cmd/kube-score@latest)' };
    else {
      const measured = await repeat('kube-score', 1, path, ['score', '--output-format', 'json', ...corpus.files], timeout);
      peers['kube-score'] = {
        available: true,
        version: goModuleVersion(path, 'github.com/zegl/kube-score', version(path, ['version'])),
        corpus: 'whole',
        ...summarise(measured),
        wallRatioVersusKubewardDefault: versus(measured, defaultPolicies),
        wallRatioVersusKubewardAllPolicies: versus(measured, allPolicies),
      };
    }
  }
  let slice: Record<string, unknown> | undefined;
  if (wanted.has('trivy')) {
    const path = findTool('trivy');
    if (!path) peers.trivy = { available: false, reason: 'not installed (GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0)' };
    else {
      // Trivy takes minutes where Kubeward takes seconds: both run on the same smaller slice.
      const small = await corpusOf(Number(args.slice));
      const kubewardDefault = await kubewardScan('slice, policies enabled by default', small.directory, [], runs, timeout);
      const kubewardAll = await kubewardScan('slice, every built-in policy', small.directory, ['--enable', '*'], runs, timeout);
      const measured = await repeat(
        'trivy config',
        1,
        path,
        ['config', '--skip-check-update', '--quiet', '--format', 'json', '--timeout', `${timeout}s`, small.directory],
        timeout + 30,
      );
      slice = { corpus: { ...small.stats, megabytes: round(small.stats.bytes / 1e6, 1), directory: small.directory }, kubewardDefault, kubewardAll };
      peers.trivy = {
        available: true,
        version: goModuleVersion(path, 'github.com/aquasecurity/trivy', version(path, ['--version']).replace(/^Version:\s*/, '')),
        corpus: `slice of ${small.stats.workloads} workloads`,
        ...summarise(measured),
        wallRatioVersusKubewardDefault: versus(measured, kubewardDefault),
        wallRatioVersusKubewardAllPolicies: versus(measured, kubewardAll),
      };
    }
  }

  const ratio = (scan: { wallSeconds: { median: number } }) => round(scan.wallSeconds.median / floorSeconds);
  const figures = {
    benchmark: 'scan-workloads',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version },
    corpus: { ...corpus.stats, megabytes: round(corpus.stats.bytes / 1e6, 1), directory: corpus.directory },
    parseFloor: floor,
    kubeward: { enabledByDefault: defaultPolicies, allBuiltInPolicies: allPolicies, enabledByDefaultTwoThreads: twoThreads, evaluateSecondsInProcess },
    ratiosToParseFloor: { enabledByDefault: ratio(defaultPolicies), allBuiltInPolicies: ratio(allPolicies), enabledByDefaultTwoThreads: ratio(twoThreads) },
    targets: {
      defaultScanWithin1_5xFloor: ratio(defaultPolicies) <= 1.5,
      allPoliciesWithin2xFloor: ratio(allPolicies) <= 2,
      peakRssUnder400MB: allPolicies.peakRssMB.max < 400 && defaultPolicies.peakRssMB.max < 400,
    },
    ...(slice ? { slice } : {}),
    peers,
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
};

await main();
