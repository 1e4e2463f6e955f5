/**
 * Connectivity-map benchmark: a synthetic cluster of workloads in namespaces with NetworkPolicies
 * of the common shapes (default deny both ways, DNS and HTTPS egress with an ipBlock except,
 * ingress by namespace labels and by pod labels on named ports, egress with AND and OR peers),
 * mapped by `kubeward netpol map --format json` in a child process, N times: wall time and peak
 * RSS. np-guard's netpol-analyzer (`netpolicy`) is run on the same input when installed.
 *
 * np-guard's network-config-analyzer (NCA, `pip install network-config-analyzer==2.1.0`; found
 * through KUBEWARD_NCA, ~/.cache/kubeward/nca-venv/bin/nca or PATH) is the side-by-side peer: it
 * maps the same corpus with `nca --connectivity --output_format txt_no_fw_rules`, timed with
 * Kubeward on the same file, and both maps are compared fact by fact (bench/netpol-compare.ts).
 * NCA's time grows faster than the square of the cluster (5 s for 500 workloads, 16 minutes for
 * 5,000), so it runs on the first --peer-namespaces namespaces of the corpus (the same generator,
 * fewer namespaces); Kubeward is timed on both sizes. Connections between the pods of one
 * workload are compared on a second run (two replicas per Deployment, NCA's pod endpoints).
 *
 *   node dist/bench/network.js [--namespaces 200] [--workloads-per-namespace 25] [--runs 3]
 *                              [--peer-namespaces 20] [--peer-runs 3] [--skip-peer-self-check]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, homedir, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findTool, hasGnuTime, measure, round, summarise, type Measurement } from './measure.js';
import { compareConnectivity, compareSelfConnections, fromKubeward, fromNca, type KubewardMap } from './netpol-compare.js';

const { values: args } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '200' },
    'workloads-per-namespace': { type: 'string', default: '25' },
    runs: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '600' },
    'peer-namespaces': { type: 'string', default: '20' },
    'peer-runs': { type: 'string', default: '3' },
    'skip-peer-self-check': { type: 'boolean', default: false },
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
    const policy = (policyName: string, spec: string): string =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${policyName}, namespace: ${name}}\nspec: ${spec}`;
    documents.push(policy('default-deny', '{podSelector: {}, policyTypes: [Ingress, Egress]}'));
    documents.push(
      policy(
        'dns-and-https',
        '{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}, {port: 53}]}, {to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 443}]}]}',
      ),
    );
    documents.push(
      policy(
        'front-from-team',
        `{podSelector: {matchLabels: {tier: front}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: t${n % 20}}}}], ports: [{port: http}]}]}`,
      ),
    );
    documents.push(
      policy(
        'back-from-front',
        '{podSelector: {matchLabels: {tier: back}}, ingress: [{from: [{podSelector: {matchLabels: {tier: front}}}], ports: [{port: http}]}]}',
      ),
    );
    documents.push(
      policy(
        'front-egress',
        '{podSelector: {matchLabels: {tier: front}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {tier: back}}}, {namespaceSelector: {matchLabels: {env: prod}}, podSelector: {matchLabels: {tier: front}}}]}]}',
      ),
    );
  }
  return `${documents.join('\n---\n')}\n`;
};

/** network-config-analyzer: KUBEWARD_NCA, then the venv the docs install it in, then PATH. */
const findNca = (): string | undefined => {
  const candidates = [process.env.KUBEWARD_NCA, join(homedir(), '.cache/kubeward/nca-venv/bin/nca')].filter((candidate): candidate is string =>
    Boolean(candidate),
  );
  const which = spawnSync('sh', ['-c', 'command -v nca'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) candidates.push(which.stdout.trim());
  return candidates.find((candidate) => existsSync(candidate));
};

const NCA_INSTALL = 'python3 -m venv ~/.cache/kubeward/nca-venv && ~/.cache/kubeward/nca-venv/bin/pip install network-config-analyzer==2.1.0';

/** What each kind of difference between the two maps is, and which tool follows the API. */
const NCA_EXPLANATIONS = {
  selfConnection:
    "Compared apart (selfConnections): NCA's txt_no_fw_rules output drops every line whose two ends have the same workload name (exclude_self_loop_conns), so Kubeward's workload -> same workload connections are set aside from the main comparison and compared on a second run with two replicas per Deployment and --output_endpoints pods, where NCA prints the lines between the two pods of a workload. Kubeward's self edge means traffic between different pods of one workload, which policies govern (here front pods of prod namespaces may reach each other on http); a pod's traffic to itself is never policed.",
  ncaSimulatedEndpoint:
    'Set aside: the corpus has no kube-system pods, so NCA adds a simulated kube-system/kube-dns-livesim pod ("adding complementary kube-dns elements"; likewise an ingress-controller-livesim for Ingress resources) that every workload may reach on TCP/UDP 53 and that, selected by no policy, may talk with every address. Kubeward maps only the workloads of its input: with no pod in kube-system the DNS rule allows nothing. Neither is wrong: NCA assumes the cluster DNS every real cluster has, Kubeward reports what the manifests hold.',
  addressRanges:
    'Normalised, not a difference: Kubeward shows 0.0.0.0/0 except 10.0.0.0/8 as one external entity of eight CIDRs, NCA as two ranges (0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255); both become the same canonical ranges per workload. NCA prints IPv6 ranges only with --print_ipv6, which the benchmark passes (without it every ::/0 connection of the Kubeward map has no NCA counterpart).',
  protocols:
    'Normalised: NCA\'s "All connections" also covers ICMP and every other IP protocol; only TCP, UDP and SCTP, the protocols a NetworkPolicy port names, are compared.',
  onlyKubeward:
    "Expected to be none on this corpus. Two NCA 2.1.0 deviations from the API show up here on other inputs (docs/network.md): a policy without policyTypes whose egress is an empty list isolates egress in NCA (it tests for the key; the API server defaults policyTypes to Ingress alone, as len(egress) is 0), and a podSelector with Exists or DoesNotExist inside a peer that also has a namespaceSelector matches only pods of the policy's own namespace in NCA.",
};

interface PeerInput {
  readonly namespaces: number;
  readonly perNamespace: number;
  readonly runs: number;
  readonly timeout: number;
  readonly directory: string;
  readonly selfCheck: boolean;
  /** The full-size corpus and Kubeward's runs on it, reused when the peer runs at full size. */
  readonly full: { readonly namespaces: number; readonly input: string; readonly measured: readonly Measurement[] };
}

/**
 * The same cluster with two replicas per Deployment, mapped once by each tool, NCA with
 * `--output_endpoints pods`: its connections between the two pods of one workload against
 * Kubeward's `workload -> same workload` connections.
 */
const checkSelfConnections = async (nca: string, peer: PeerInput, namespaces: number) => {
  const corpusDirectory = join(peer.directory, 'peer-replicas');
  await mkdir(corpusDirectory, { recursive: true });
  const input = join(corpusDirectory, 'cluster.yaml');
  await writeFile(input, networkCorpus(namespaces, peer.perNamespace).replaceAll('\nspec:\n  selector:', '\nspec:\n  replicas: 2\n  selector:'));
  log(`kubeward netpol map and nca --output_endpoints pods, ${namespaces} namespaces, two replicas per Deployment`);
  const kubeward = await measure(process.execPath, [bin, 'netpol', 'map', input, '--format', 'json', '-q'], peer.timeout);
  const output = join(peer.directory, 'nca-pods.txt');
  const ncaRun = await measure(
    nca,
    [
      '--connectivity',
      corpusDirectory,
      '--pod_list',
      corpusDirectory,
      '--ns_list',
      corpusDirectory,
      '--output_format',
      'txt_no_fw_rules',
      '--output_endpoints',
      'pods',
      '--print_ipv6',
      '--file_out',
      output,
    ],
    peer.timeout,
  );
  const ncaText = await readFile(output, 'utf8').catch(() => '');
  if (kubeward.exitCode !== 0 || ncaRun.exitCode !== 0 || !ncaText)
    return { available: false, reason: `exit codes: nca ${ncaRun.exitCode}${ncaRun.timedOut ? ' (timed out)' : ''}, kubeward ${kubeward.exitCode}` };
  return {
    available: true,
    input: `the same ${namespaces} namespaces with replicas: 2 on every Deployment; nca --output_endpoints pods (lines ns/app-N-1 => ns/app-N-2)`,
    ncaWallSeconds: round(ncaRun.wallSeconds),
    ...compareSelfConnections(JSON.parse(kubeward.stdout) as KubewardMap, ncaText),
  };
};

const runNca = async (nca: string, peer: PeerInput) => {
  const fullSize = peer.namespaces >= peer.full.namespaces;
  const namespaces = Math.min(peer.namespaces, peer.full.namespaces);
  // NCA reads every YAML file of a directory: the peer corpus gets one of its own.
  const corpusDirectory = fullSize ? peer.directory : join(peer.directory, 'peer');
  const input = fullSize ? peer.full.input : join(corpusDirectory, 'cluster.yaml');
  const kubewardRuns: Measurement[] = fullSize ? [...peer.full.measured] : [];
  if (!fullSize) {
    await mkdir(corpusDirectory, { recursive: true });
    await writeFile(input, networkCorpus(namespaces, peer.perNamespace));
    for (let run = 0; run < peer.runs; run++) {
      log(`kubeward netpol map, ${namespaces} namespaces, run ${run + 1}/${peer.runs}`);
      kubewardRuns.push(await measure(process.execPath, [bin, 'netpol', 'map', input, '--format', 'json', '-q'], peer.timeout));
    }
  }
  // Policies, pods and namespaces all come from the same files; the map goes to a file, as NCA
  // prints progress and warnings on stdout.
  const output = join(peer.directory, 'nca.txt');
  const ncaArgs = [
    '--connectivity',
    corpusDirectory,
    '--pod_list',
    corpusDirectory,
    '--ns_list',
    corpusDirectory,
    '--output_format',
    'txt_no_fw_rules',
    '--print_ipv6',
    '--file_out',
    output,
  ];
  const ncaRuns: Measurement[] = [];
  for (let run = 0; run < peer.runs; run++) {
    log(`nca --connectivity, ${namespaces} namespaces, run ${run + 1}/${peer.runs}`);
    await rm(output, { force: true });
    ncaRuns.push(await measure(nca, ncaArgs, peer.timeout));
  }
  const ncaLast = ncaRuns.at(-1) as Measurement;
  const kubewardLast = kubewardRuns.at(-1) as Measurement;
  const ncaText = await readFile(output, 'utf8').catch(() => '');
  const ncaFigures = summarise(ncaRuns);
  const kubewardFigures = summarise(kubewardRuns);
  const ratio = round(ncaFigures.wallSeconds.median / kubewardFigures.wallSeconds.median, 1);
  const base = {
    available: true,
    executable: nca,
    version: spawnSync(nca, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    install: NCA_INSTALL,
    command: `nca --connectivity <dir> --pod_list <dir> --ns_list <dir> --output_format txt_no_fw_rules --print_ipv6 --file_out nca.txt`,
    input: {
      namespaces,
      workloads: namespaces * peer.perNamespace,
      networkPolicies: namespaces * 5,
      note: fullSize
        ? 'the full corpus'
        : `a smaller cluster from the same generator (networkCorpus(${namespaces}, ${peer.perNamespace})), as NCA's time grows faster than the square of the cluster (about 5 s for 500 workloads, 19 s for 1,000, 16-19 minutes for 5,000 on a 2-core machine); --peer-namespaces ${peer.full.namespaces} runs it on the full corpus`,
    },
    runs: peer.runs,
    nca: ncaFigures,
    kubewardSameInput: { command: 'kubeward netpol map cluster.yaml --format json', ...kubewardFigures },
    timeRatio: { ncaOverKubeward: ratio, text: `NCA takes ${ratio}x Kubeward's wall time on the same ${namespaces * peer.perNamespace} workloads (medians)` },
    peakRssRatio: round(ncaFigures.peakRssMB.max / kubewardFigures.peakRssMB.max, 2),
  };
  if (ncaLast.timedOut || ncaLast.exitCode !== 0 || !ncaText || kubewardLast.exitCode !== 0) {
    const reason = ncaLast.timedOut
      ? `NCA did not finish within --timeout ${peer.timeout} s`
      : `exit codes: nca ${ncaLast.exitCode}, kubeward ${kubewardLast.exitCode}`;
    return { ...base, comparison: { available: false, reason } };
  }
  const ours = fromKubeward(JSON.parse(kubewardLast.stdout) as KubewardMap);
  const theirs = fromNca(ncaText);
  return {
    ...base,
    comparison: {
      available: true,
      granularity:
        'one fact per workload pair (namespace/Kind/name) and per workload and address range with its ports (TCP, UDP, SCTP); address ranges made canonical per workload (split where the allowed ports change, neighbours with equal ports merged)',
      ...compareConnectivity(ours.connectivity, theirs.connectivity),
      setAside: { kubeward: ours.setAside, nca: theirs.setAside },
      unparsed: { kubeward: ours.unparsed.length, nca: theirs.unparsed.length, examples: [...ours.unparsed, ...theirs.unparsed].slice(0, 5) },
      explanations: NCA_EXPLANATIONS,
    },
    selfConnections: peer.selfCheck ? await checkSelfConnections(nca, peer, namespaces) : { skipped: '--skip-peer-self-check' },
  };
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
    log(
      `${namespaces * perNamespace} workloads in ${namespaces} namespaces, ${namespaces * 5} NetworkPolicies (${(corpus.length / 1024 / 1024).toFixed(1)} MB)`,
    );
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
          reason:
            'not installed: `go install github.com/np-guard/netpol-analyzer/cmd/netpolicy@latest` is refused by the Go module proxy on this machine (HTTP 403 for every version of github.com/np-guard/netpol-analyzer)',
        };
    const nca = findNca();
    const networkConfigAnalyzer = nca
      ? await runNca(nca, {
          namespaces: Number(args['peer-namespaces']),
          perNamespace,
          runs: Number(args['peer-runs']),
          timeout,
          directory,
          selfCheck: !args['skip-peer-self-check'],
          full: { namespaces, input, measured },
        })
      : { available: false, reason: `not found (KUBEWARD_NCA, ~/.cache/kubeward/nca-venv/bin/nca, PATH): install with \`${NCA_INSTALL}\`` };
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'netpol-map',
          date: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            model: cpus()[0]?.model ?? 'unknown',
            memoryGB: round(totalmem() / 2 ** 30, 1),
            node: process.version,
            peakRssFrom: hasGnuTime ? 'GNU time %M' : '/proc VmHWM sampled every 5 ms',
          },
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
          networkConfigAnalyzer,
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
