/**
 * Risk-ranking benchmark: a synthetic cluster of workloads (every 10th privileged, every 3rd behind
 * a Service, a fifth of those a LoadBalancer), RBAC bindings (Roles reading Secrets, the built-in
 * edit and view, some cluster-wide), NetworkPolicies, and image scan reports with vulnerability
 * findings (a share fixable, known exploited, with EPSS), ranked by `kubeward risk --image-scans`
 * in a child process, N times, by workload and by CVE: wall time and peak RSS.
 *
 *   node dist/bench/risk.js [--namespaces 200] [--workloads-per-namespace 50] [--bindings 2000]
 *                           [--images 100] [--vulnerabilities-per-image 500] [--runs 3] [--keep <dir>]
 *
 * `--keep <dir>` writes the inputs there and leaves them, to rerun or profile the command by hand.
 * The in-process phases (`--phases <dir>`, run in a child) time what ranking does once the
 * cluster and the scans are in memory, as the server holds them: policy evaluation, RBAC,
 * NetworkPolicy isolation, and the three rankings.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSnapshot } from '../src/k8s/index.js';
import { DEFAULT_LOAD_OPTIONS, loadInputs } from '../src/k8s/files/index.js';
import type { ImageScan } from '../src/model/index.js';
import { computeIsolation } from '../src/network/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../src/policy/files/index.js';
import { evaluatePolicies, selectPolicies } from '../src/policy/index.js';
import { assessSubjects, collectGrants, serviceAccountSubjects } from '../src/rbac/index.js';
import { imageLookup, rankImages, rankVulnerabilities, rankWorkloads, type ScannedImage } from '../src/risk/index.js';
import { hasGnuTime, measure, median, round, summarise, type Measurement } from './measure.js';
import { riskCorpus, scanReport } from './risk-corpus.js';

const { values: args } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '200' },
    'workloads-per-namespace': { type: 'string', default: '50' },
    bindings: { type: 'string', default: '2000' },
    images: { type: 'string', default: '100' },
    'vulnerabilities-per-image': { type: 'string', default: '500' },
    runs: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '600' },
    keep: { type: 'string' },
    phases: { type: 'string' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/** The phases in this process, over inputs `main` wrote: seconds per phase, printed as JSON. */
const phases = async (directory: string): Promise<void> => {
  const seconds: Record<string, number> = {};
  const time = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    seconds[name] = round((performance.now() - started) / 1000, 3);
    return result;
  };
  const { policies } = await loadPolicyPath(builtInPolicyDirectory(), root);
  const selected = selectPolicies(policies, [], { enable: [], disable: [], only: [] }, 'bench');
  const snapshot = await time('loadManifests', async () =>
    buildSnapshot((await loadInputs([join(directory, 'cluster.yaml')], { ...DEFAULT_LOAD_OPTIONS, cwd: directory, stdin: () => [] })).objects),
  );
  const files = (await readdir(directory)).filter((name) => name.startsWith('scan-')).sort();
  const images = await time('readScans', async () =>
    Promise.all(
      files.map(async (file): Promise<ScannedImage> => {
        const scan = JSON.parse(await readFile(join(directory, file), 'utf8')) as ImageScan;
        return { name: scan.image.source, scan };
      }),
    ),
  );
  const now = new Date();
  const runs: Record<string, number>[] = [];
  for (let run = 0; run < 3; run++) {
    const lookup = imageLookup(images);
    const { findings } = await time('policies', () =>
      evaluatePolicies(snapshot, selected.active, { now, stages: ['BUILD', 'DEPLOY'], imageScan: (name) => lookup(name)?.scan }),
    );
    const rbac = await time('rbac', () => assessSubjects(collectGrants(snapshot).grants, serviceAccountSubjects(snapshot)));
    const isolation = await time('isolation', () => computeIsolation(snapshot));
    const workloads = await time('rankWorkloads', () => rankWorkloads({ snapshot, findings, isolation, rbac, images, now }));
    await time('rankImages', () => rankImages(workloads, images, now));
    await time('rankVulnerabilities', () => rankVulnerabilities(workloads, images));
    runs.push({ ...seconds });
  }
  const phase = (name: string): number => round(median(runs.map((entry) => entry[name] ?? 0)), 3);
  const names = ['policies', 'rbac', 'isolation', 'rankWorkloads', 'rankImages', 'rankVulnerabilities'];
  process.stdout.write(
    `${JSON.stringify({
      loadManifestsSeconds: seconds.loadManifests,
      readScansSeconds: seconds.readScans,
      phasesSeconds: Object.fromEntries(names.map((name) => [name, phase(name)])),
      rankingSeconds: round(
        names.reduce((sum, name) => sum + phase(name), 0),
        3,
      ),
      heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    })}\n`,
  );
};

const main = async (): Promise<void> => {
  const namespaces = Number(args.namespaces);
  const perNamespace = Number(args['workloads-per-namespace']);
  const bindings = Number(args.bindings);
  const images = Number(args.images);
  const perImage = Number(args['vulnerabilities-per-image']);
  const runs = Number(args.runs);
  const timeout = Number(args.timeout);
  const directory = args.keep ?? (await mkdtemp(join(tmpdir(), 'kubeward-bench-risk-')));
  await mkdir(directory, { recursive: true });
  try {
    const input = join(directory, 'cluster.yaml');
    const corpus = riskCorpus(namespaces, perNamespace, bindings, images);
    await writeFile(input, corpus);
    const scanFlags: string[] = [];
    for (let index = 0; index < images; index++) {
      const file = join(directory, `scan-${index}.json`);
      await writeFile(file, scanReport(index, perImage));
      scanFlags.push('--image-scans', file);
    }
    log(
      `${namespaces * perNamespace} workloads, ${bindings} RBAC bindings, ${images} image scans with ${images * perImage} vulnerability findings (${(corpus.length / 1024 / 1024).toFixed(1)} MB of manifests)`,
    );
    const rankings: Record<string, unknown> = {};
    for (const by of ['workload', 'cve'] as const) {
      const measured: Measurement[] = [];
      for (let run = 0; run < runs; run++) {
        log(`kubeward risk --by ${by} run ${run + 1}/${runs}`);
        measured.push(await measure(process.execPath, [bin, 'risk', input, ...scanFlags, '--by', by, '--format', 'json', '--quiet'], timeout));
      }
      const last = measured.at(-1) as Measurement;
      const report = JSON.parse(last.stdout) as {
        workloads?: { workload: string; score: number; factors: { id: string }[] }[];
        vulnerabilities?: { id: string; score: number; workloadCount: number }[];
        problems: unknown[];
      };
      rankings[by] = {
        command: `kubeward risk cluster.yaml --image-scans <${images} reports> --by ${by} --format json`,
        ...summarise(measured),
        ranked: (report.workloads ?? report.vulnerabilities ?? []).length,
        top:
          by === 'workload'
            ? report.workloads
                ?.slice(0, 3)
                .map((entry) => ({ workload: entry.workload, score: entry.score, factors: entry.factors.map((factor) => factor.id) }))
            : report.vulnerabilities?.slice(0, 3).map((entry) => ({ id: entry.id, score: entry.score, workloads: entry.workloadCount })),
        problems: report.problems.length,
      };
    }
    log('in-process phases (3 runs in a child process)');
    const inProcess = await measure(process.execPath, [join(root, 'dist/bench/risk.js'), '--phases', directory], timeout);
    const phaseFigures = JSON.parse(inProcess.stdout) as Record<string, unknown>;
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'risk',
          date: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            model: cpus()[0]?.model ?? 'unknown',
            memoryGB: round(totalmem() / 2 ** 30, 1),
            node: process.version,
            peakRssFrom: hasGnuTime ? 'GNU time %M' : '/proc VmHWM sampled every 5 ms',
          },
          input: {
            namespaces,
            workloads: namespaces * perNamespace,
            rbacBindings: bindings,
            images,
            vulnerabilityFindings: images * perImage,
            manifestMegabytes: round(corpus.length / 1024 / 1024),
          },
          runs,
          kubeward: {
            inMemory: {
              what: 'the cluster and the scans loaded once; then policy evaluation, RBAC, isolation and the three rankings, median of 3',
              ...phaseFigures,
              processPeakRssMB: inProcess.peakRssMB,
            },
            wholeCommand: rankings,
          },
          goal: { wallSeconds: 3, peakRssMB: 1024 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    if (!args.keep) await rm(directory, { recursive: true, force: true });
  }
};

if (args.phases) await phases(args.phases);
else await main();
