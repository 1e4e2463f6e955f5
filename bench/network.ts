/**
 * Connectivity-map benchmark: a synthetic cluster of workloads in namespaces with NetworkPolicies
 * of the common shapes (default deny both ways, DNS and HTTPS egress with an ipBlock except,
 * ingress by namespace labels and by pod labels on named ports, egress with AND and OR peers),
 * mapped by `kubeward netpol map --format json` in a child process, N times: wall time and peak
 * RSS. np-guard's netpol-analyzer (`netpolicy`) is run on the same input when installed.
 *
 *   node dist/bench/network.js [--namespaces 200] [--workloads-per-namespace 25] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, homedir, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hasGnuTime, measure, round, summarise, type Measurement } from './measure.js';

const { values: args } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '200' },
    'workloads-per-namespace': { type: 'string', default: '25' },
    runs: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '600' },
  },
});

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'dist/src/cli/bin.js');
const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/** Five policies per namespace: 1,000 for 200 namespaces. */
export const networkCorpus = (namespaces: number, perNamespace: number): string => {
  const documents: string[] = [];
  for (let n = 0; n < namespaces; n++) {
    const name = `ns-${n}`;
    documents.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: {team: t${n % 20}, env: ${n % 2 ? 'prod' : 'dev'}}}`);
    for (let p = 0; p < perNamespace; p++) {
      const tier = p % 3 === 0 ? 'front' : p % 3 === 1 ? 'back' : 'db';
      documents.push(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${p}, namespace: ${name}}\nspec:\n  selector: {matchLabels: {app: app-${p}}}\n  template:\n    metadata: {labels: {app: app-${p}, tier: ${tier}}}\n    spec: {containers: [{name: c, image: registry.example.com/app-${p}:1, ports: [{name: http, containerPort: ${8000 + p}}, {name: metrics, containerPort: 9100}]}]}`,
      );
    }
    const policy = (policyName: string, spec: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${policyName}, namespace: ${name}}\nspec: ${spec}`;
    documents.push(policy('default-deny', '{podSelector: {}, policyTypes: [Ingress, Egress]}'));
    documents.push(policy('dns-and-https', '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}, {port: 53}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 443}]}]}'));
    documents.push(policy('front-from-team', `{podSelector: {matchLabels: {tier: front}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: t${n % 20}}}}], ports: [{port: http}]}]}`));
    documents.push(policy('back-from-front', '{podSelector: {matchLabels: {tier: back}}, ingress: [{from: [{podSelector: {matchLabels: {tier: front}}}], ports: [{port: http}]}]}'));
    documents.push(policy('front-egress', '{podSelector: {matchLabels: {tier: front}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {tier: back}}}, {namespaceSelector: {matchLabels: {env: prod}}, podSelector: {matchLabels: {tier: front}}}]}]}'));
  }
  return `${documents.join('\n---\n')}\n`;
};

const findTool = (name: string): string | undefined => {
  const candidates = [join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', name)];
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) candidates.unshift(which.stdout.trim());
  return candidates.find((candidate) => existsSync(candidate));
};

const main = async (): Promise<void> => {
  const namespaces = Number(args.namespaces);
  const perNamespace = Number(args['workloads-per-namespace']);
  const runs = Number(args.runs);
  const timeout = Number(args.timeout);
  const directory = await mkdtemp(join(tmpdir(), 'kubeward-bench-network-'));
  try {
    const input = join(directory, 'cluster.yaml');
    const corpus = networkCorpus(namespaces, perNamespace);
    await writeFile(input, corpus);
    log(`${namespaces * perNamespace} workloads in ${namespaces} namespaces, ${namespaces * 5} NetworkPolicies (${(corpus.length / 1024 / 1024).toFixed(1)} MB)`);
    const measured: Measurement[] = [];
    for (let run = 0; run < runs; run++) {
      log(`kubeward netpol map run ${run + 1}/${runs}`);
      measured.push(await measure(process.execPath, [bin, 'netpol', 'map', input, '--format', 'json', '-q'], timeout));
    }
    const last = measured.at(-1) as Measurement;
    const map = JSON.parse(last.stdout) as { workloads: unknown[]; connections: { from: string; to: string }[]; entities: unknown[]; problems: unknown[] };
    const peer = findTool('netpolicy');
    const netpolAnalyzer = peer
      ? { available: true, ...summarise([await measure(peer, ['list', '--dirpath', directory, '-o', 'json'], timeout)]) }
      : {
          available: false,
          reason: 'not installed: `go install github.com/np-guard/netpol-analyzer/cmd/netpolicy@latest` is refused by the Go module proxy on this machine (HTTP 403 for every version of github.com/np-guard/netpol-analyzer)',
        };
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'netpol-map',
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, peakRssFrom: hasGnuTime ? 'GNU time %M' : '/proc VmHWM sampled every 5 ms' },
          input: { namespaces, workloads: namespaces * perNamespace, networkPolicies: namespaces * 5, megabytes: round(corpus.length / 1024 / 1024) },
          runs,
          kubeward: {
            command: 'kubeward netpol map cluster.yaml --format json',
            ...summarise(measured),
            workloads: map.workloads.length,
            connections: map.connections.length,
            workloadPairsConnected: map.connections.filter((edge) => !edge.from.startsWith('external:') && !edge.to.startsWith('external:')).length,
            externalEntities: map.entities.length,
            problems: map.problems.length,
          },
          goal: { wallSeconds: 5, peakRssMB: 1024 },
          netpolAnalyzer,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

await main();
