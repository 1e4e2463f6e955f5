import type { ClusterSnapshot, Labels, Protocol, Workload } from '../model/index.js';
import { parseCidr } from './ip.js';
import { PROTOCOLS } from './ports.js';

/** One observed connection: who opened it, to whom, on which destination port. */
export interface Flow {
  /** A workload (`namespace/name`, `namespace/Kind/name`) or an IP address outside the cluster. */
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface FlowProblem {
  readonly line: number;
  readonly message: string;
}

/** Labels that change with every rollout: never in a generated selector. */
const VOLATILE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'batch.kubernetes.io/controller-uid',
  'controller-uid',
  'batch.kubernetes.io/job-name',
  'job-name',
]);

/** An address (`203.0.113.10`) or a CIDR (`0.0.0.0/0`) outside the cluster, as an ipBlock CIDR; undefined for anything else. */
const asCidr = (text: string): string | undefined => {
  const cidr = text.includes('/') ? text : text.includes(':') ? `${text}/128` : `${text}/32`;
  try {
    parseCidr(cidr);
    return cidr;
  } catch {
    return undefined;
  }
};

/**
 * Reads flows from JSON lines: Kubeward's own (`{"source":"shop/web","destination":"data/postgres",
 * "port":5432,"protocol":"TCP"}`) or Cilium Hubble's (`hubble observe -o json`: `{"flow":{...}}`,
 * forwarded, non-reply flows; endpoints by namespace and workload, else by IP). Bad lines are
 * problems with their line number; the rest is read.
 */
export const parseFlows = (text: string): { flows: Flow[]; problems: FlowProblem[] } => {
  const flows: Flow[] = [];
  const problems: FlowProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      problems.push({ line: index + 1, message: 'not JSON' });
      return;
    }
    const flow = (value.flow ?? (value.source === undefined ? undefined : null)) as Record<string, unknown> | null | undefined;
    if (flow === undefined) {
      problems.push({ line: index + 1, message: 'neither a flow ({source, destination, port, protocol}) nor a Hubble flow ({"flow": ...})' });
      return;
    }
    if (flow === null) {
      const { source, destination, port, protocol = 'TCP' } = value as { source?: unknown; destination?: unknown; port?: unknown; protocol?: unknown };
      if (
        typeof source !== 'string' ||
        typeof destination !== 'string' ||
        typeof port !== 'number' ||
        !Number.isInteger(port) ||
        port < 1 ||
        port > 65535 ||
        !PROTOCOLS.includes(protocol as Protocol)
      ) {
        problems.push({ line: index + 1, message: 'a flow needs source and destination (strings), port (1-65535) and protocol (TCP, UDP or SCTP)' });
        return;
      }
      flows.push({ source, destination, port, protocol: protocol as Protocol });
      return;
    }
    // Hubble: skip drops and replies (a reply is the same connection seen backwards).
    if ((flow.verdict !== undefined && flow.verdict !== 'FORWARDED') || flow.is_reply === true) return;
    const l4 = (flow.l4 ?? {}) as Record<string, { destination_port?: number } | undefined>;
    const protocol = PROTOCOLS.find((name) => l4[name] !== undefined);
    const port = protocol ? l4[protocol]?.destination_port : undefined;
    if (!protocol || port === undefined) return;
    const ip = (flow.IP ?? {}) as { source?: string; destination?: string };
    const endpoint = (side: unknown, address: string | undefined): string | undefined => {
      const described = (side ?? {}) as { namespace?: string; workloads?: { name?: string; kind?: string }[]; pod_name?: string };
      const workload = described.workloads?.[0];
      if (described.namespace && workload?.name) return `${described.namespace}/${workload.kind ? `${workload.kind}/` : ''}${workload.name}`;
      if (described.namespace && described.pod_name) return `${described.namespace}/Pod/${described.pod_name}`;
      return address;
    };
    const source = endpoint(flow.source, ip.source);
    const destination = endpoint(flow.destination, ip.destination);
    if (!source || !destination) {
      problems.push({ line: index + 1, message: 'Hubble flow without a known source or destination' });
      return;
    }
    flows.push({ source, destination, port, protocol });
  });
  return { flows, problems };
};

export interface GenerateOptions {
  /** Also a default-deny policy per namespace (both directions). */
  readonly defaultDeny?: boolean;
  /** Where cluster DNS runs: egress to it on port 53 is always allowed. */
  readonly dns?: { readonly namespace: string; readonly labels: Labels };
}

export const DEFAULT_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } as const;

/** A workload's stable pod selector: its own selector's labels, else its pod labels without rollout hashes. */
export const stableSelector = (workload: Workload): Labels => {
  const own = workload.selector;
  if (own && own.matchExpressions.length === 0 && Object.keys(own.matchLabels).length > 0) return { ...own.matchLabels };
  return Object.fromEntries(Object.entries(workload.podLabels).filter(([key]) => !VOLATILE_LABELS.has(key)));
};

type Peer = Record<string, unknown>;

/**
 * Least-privilege NetworkPolicies from observed flows: per workload, one policy that selects its
 * pods by labels that survive restarts, isolates both directions, and allows exactly the observed
 * sources and destinations on the observed ports (workloads by namespace and pod labels, outside
 * addresses as /32 or /128 ipBlocks), plus DNS to the cluster's resolver. Flows naming unknown
 * workloads are returned as problems, not guessed.
 */
export const generatePolicies = (
  snapshot: ClusterSnapshot,
  flows: readonly Flow[],
  options: GenerateOptions = {},
): { policies: Record<string, unknown>[]; unknown: string[] } => {
  const dns = options.dns ?? DEFAULT_DNS;
  const byKey = new Map<string, Workload>();
  for (const workload of snapshot.workloads) {
    const namespace = workload.namespace ?? 'default';
    byKey.set(`${namespace}/${workload.kind}/${workload.name}`, workload);
    if (!byKey.has(`${namespace}/${workload.name}`)) byKey.set(`${namespace}/${workload.name}`, workload);
  }
  const unknown = new Set<string>();
  const resolve = (name: string): Workload | 'address' | undefined => {
    if (asCidr(name) !== undefined) return 'address';
    const found = byKey.get(name);
    if (!found) unknown.add(name);
    return found;
  };
  const peerFor = (other: Workload | string, self: Workload): Peer => {
    if (typeof other === 'string') return { ipBlock: { cidr: asCidr(other) as string } };
    const podSelector = { matchLabels: stableSelector(other) };
    return (other.namespace ?? 'default') === (self.namespace ?? 'default')
      ? { podSelector }
      : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': other.namespace ?? 'default' } }, podSelector };
  };
  // Rules per workload and direction, keyed by peer: the ports seen with it.
  const rules = new Map<Workload, { ingress: Map<string, { peer: Peer; ports: Set<string> }>; egress: Map<string, { peer: Peer; ports: Set<string> }> }>();
  const rulesOf = (workload: Workload) => {
    let entry = rules.get(workload);
    if (!entry) rules.set(workload, (entry = { ingress: new Map(), egress: new Map() }));
    return entry;
  };
  for (const workload of snapshot.workloads) rulesOf(workload);
  const note = (workload: Workload, direction: 'ingress' | 'egress', peer: Peer, flow: Flow): void => {
    const key = JSON.stringify(peer);
    const side = rulesOf(workload)[direction];
    const entry = side.get(key) ?? { peer, ports: new Set<string>() };
    entry.ports.add(`${flow.protocol}/${flow.port}`);
    side.set(key, entry);
  };
  for (const flow of flows) {
    const source = resolve(flow.source);
    const destination = resolve(flow.destination);
    if (source === undefined || destination === undefined) continue;
    if (source !== 'address') note(source, 'egress', peerFor(destination === 'address' ? flow.destination : destination, source), flow);
    if (destination !== 'address') note(destination, 'ingress', peerFor(source === 'address' ? flow.source : source, destination), flow);
  }
  const portList = (ports: ReadonlySet<string>) =>
    [...ports]
      .map((entry) => entry.split('/') as [Protocol, string])
      .sort((a, b) => a[0].localeCompare(b[0]) || Number(a[1]) - Number(b[1]))
      .map(([protocol, port]) => ({ protocol, port: Number(port) }));
  const toRules = (side: Map<string, { peer: Peer; ports: Set<string> }>, key: 'from' | 'to') =>
    [...side.values()]
      .sort((a, b) => JSON.stringify(a.peer).localeCompare(JSON.stringify(b.peer)))
      .map((entry) => ({ [key]: [entry.peer], ports: portList(entry.ports) }));

  const policies: Record<string, unknown>[] = [];
  const namespaces = new Set<string>();
  for (const [workload, sides] of rules) {
    const namespace = workload.namespace ?? 'default';
    namespaces.add(namespace);
    const isDns = namespace === dns.namespace && Object.entries(dns.labels).every(([key, value]) => workload.podLabels[key] === value);
    const dnsRule = {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } }, podSelector: { matchLabels: { ...dns.labels } } }],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    };
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: `${workload.name}-${workload.kind.toLowerCase()}-least-privilege`.slice(0, 253),
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'kubeward' },
        annotations: { 'kubeward.io/generated-peers': String(sides.ingress.size + sides.egress.size) },
      },
      spec: {
        podSelector: { matchLabels: stableSelector(workload) },
        policyTypes: ['Ingress', 'Egress'],
        // The resolver answers every pod: its own queries are not in the flows people record.
        ingress: [
          ...(isDns
            ? [
                {
                  from: [{ namespaceSelector: {} }],
                  ports: [
                    { protocol: 'UDP', port: 53 },
                    { protocol: 'TCP', port: 53 },
                  ],
                },
              ]
            : []),
          ...toRules(sides.ingress, 'from'),
        ],
        egress: [...(isDns ? [] : [dnsRule]), ...toRules(sides.egress, 'to')],
      },
    });
  }
  if (options.defaultDeny) {
    for (const namespace of [...namespaces].sort()) {
      policies.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'default-deny', namespace, labels: { 'app.kubernetes.io/managed-by': 'kubeward' } },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      });
    }
  }
  return { policies, unknown: [...unknown].sort() };
};

/**
 * Flows a starting set can assume without observing traffic: every workload of a namespace may
 * call the Services of that namespace on their target ports, and Services exposed outside the
 * cluster (LoadBalancer, NodePort, external IPs, Ingress) may be called from anywhere. Refine
 * with observed flows before relying on it.
 */
export const flowsFromServices = (snapshot: ClusterSnapshot): Flow[] => {
  const flows: Flow[] = [];
  const id = (workload: Workload): string => `${workload.namespace ?? 'default'}/${workload.kind}/${workload.name}`;
  const routed = new Set(
    snapshot.ingresses.flatMap((ingress) => ingress.backends.map((backend) => `${ingress.namespace ?? 'default'}/${backend.serviceName}`)),
  );
  for (const service of snapshot.services) {
    if (!service.selector || Object.keys(service.selector).length === 0) continue;
    const namespace = service.namespace ?? 'default';
    const selector = service.selector;
    const backends = snapshot.workloads.filter(
      (workload) => (workload.namespace ?? 'default') === namespace && Object.entries(selector).every(([key, value]) => workload.podLabels[key] === value),
    );
    const exposed =
      service.type === 'LoadBalancer' || service.type === 'NodePort' || service.externalIPs.length > 0 || routed.has(`${namespace}/${service.name}`);
    for (const backend of backends) {
      const containerPorts = backend.pod.containers.flatMap((container) => container.ports);
      for (const port of service.ports) {
        const number =
          typeof port.targetPort === 'number'
            ? port.targetPort
            : containerPorts.find((candidate) => candidate.name === port.targetPort && candidate.protocol === port.protocol)?.containerPort;
        if (number === undefined) continue;
        for (const client of snapshot.workloads) {
          if ((client.namespace ?? 'default') === namespace && client !== backend)
            flows.push({ source: id(client), destination: id(backend), port: number, protocol: port.protocol });
        }
        if (exposed) flows.push({ source: '0.0.0.0/0', destination: id(backend), port: number, protocol: port.protocol });
      }
    }
  }
  return flows;
};
