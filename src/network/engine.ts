import {
  selectorMatches,
  type ClusterSnapshot,
  type ContainerPort,
  type Labels,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type NetworkPolicyRule,
  type Protocol,
  type Workload,
} from '../model/index.js';
import { groupByController } from '../k8s/index.js';
import { readAdminPolicies, type AdminRule, type AdminSelector } from './admin.js';
import { CniIsolation, cniPolicyId } from './cni.js';
import { CidrError, IpSet, maskedCidr, partitionAddresses } from './ip.js';
import { MAX_PORT, PortSet } from './ports.js';

/** A workload as the network sees it: its pods' labels, namespace and declared container ports. */
export interface NetworkEndpoint {
  /** `namespace/Kind/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /** For a controller the input does not hold: the pods it stands for (`Pod web-7d4b9c-x2k4f`). */
  readonly inferredFrom?: readonly string[];
}

/** Traffic one workload's pods may send to another's, and on which ports. */
export interface Connection {
  readonly from: string;
  readonly to: string;
  readonly ports: PortSet;
}

/** Addresses outside the cluster a workload may reach (egress) or be reached from (ingress), with ports. */
export interface ExternalGrant {
  readonly workload: string;
  readonly direction: 'ingress' | 'egress';
  readonly addresses: IpSet;
  readonly ports: PortSet;
}

/** Something in a policy that could not be used as written: the object, the field and why. */
export interface NetworkProblem {
  readonly policy: string;
  readonly path: string;
  readonly message: string;
}

export interface Isolation {
  readonly workload: string;
  /** Whether some policy selects the workload for ingress (otherwise all ingress is allowed). */
  readonly ingress: boolean;
  readonly egress: boolean;
  /** Policies selecting it: NetworkPolicies as `namespace/name`, Cilium and Calico ones as `Kind namespace/name`. */
  readonly policies: readonly string[];
}

export interface ConnectivityMap {
  readonly endpoints: readonly NetworkEndpoint[];
  readonly connections: readonly Connection[];
  readonly external: readonly ExternalGrant[];
  readonly isolation: readonly Isolation[];
  readonly problems: readonly NetworkProblem[];
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Match expressions the API server rejects (unknown operators, In without values, Exists with values), by field. */
const invalidSelectors = (policy: NetworkPolicy): NetworkProblem[] => {
  const problems: NetworkProblem[] = [];
  const spec = (policy.raw as { spec?: Record<string, unknown> }).spec ?? {};
  const check = (selector: unknown, path: string): void => {
    if (typeof selector !== 'object' || selector === null) return;
    const expressions = (selector as { matchExpressions?: unknown }).matchExpressions;
    if (!Array.isArray(expressions)) return;
    expressions.forEach((expression: { key?: unknown; operator?: unknown; values?: unknown }, index) => {
      const where = `${path}.matchExpressions[${index}]`;
      const values = Array.isArray(expression?.values) ? expression.values : [];
      if (!OPERATORS.has(String(expression?.operator)))
        problems.push({
          policy: policyId(policy),
          path: where,
          message: `operator ${JSON.stringify(expression?.operator)} is not In, NotIn, Exists or DoesNotExist; the expression is ignored`,
        });
      else if ((expression.operator === 'In' || expression.operator === 'NotIn') && values.length === 0)
        problems.push({ policy: policyId(policy), path: where, message: `${expression.operator} needs values; the API server rejects this selector` });
      else if ((expression.operator === 'Exists' || expression.operator === 'DoesNotExist') && values.length > 0)
        problems.push({ policy: policyId(policy), path: where, message: `${expression.operator} takes no values; the API server rejects this selector` });
    });
  };
  check(spec.podSelector, 'spec.podSelector');
  for (const [direction, key] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    const rules = Array.isArray(spec[direction]) ? (spec[direction] as Record<string, unknown>[]) : [];
    rules.forEach((rule, ruleIndex) => {
      const peers = Array.isArray(rule?.[key]) ? (rule[key] as Record<string, unknown>[]) : [];
      peers.forEach((peer, peerIndex) => {
        check(peer?.podSelector, `spec.${direction}[${ruleIndex}].${key}[${peerIndex}].podSelector`);
        check(peer?.namespaceSelector, `spec.${direction}[${ruleIndex}].${key}[${peerIndex}].namespaceSelector`);
      });
    });
  }
  return problems;
};

const endpointId = (workload: Workload): string => `${workload.namespace ?? 'default'}/${workload.kind}/${workload.name}`;
const policyId = (policy: NetworkPolicy): string => `${policy.namespace ?? 'default'}/${policy.name}`;

interface CompiledRule {
  /** Pods its peers select, as endpoint indexes; `undefined` when the rule has no peers (everyone). */
  readonly pods: ReadonlySet<number> | undefined;
  /** Addresses its ipBlock peers allow; everything when the rule has no peers. */
  readonly addresses: IpSet;
  readonly ports: readonly NetworkPolicyPort[] | undefined;
  readonly policy: NetworkPolicy;
  readonly path: string;
}

/**
 * Computes who can talk to whom under the NetworkPolicies of a snapshot (networking.k8s.io/v1),
 * at workload level (pods grouped by their owner):
 * - a pod selected by no policy of a direction is open in that direction; policies add up;
 * - a connection needs the source's egress and the destination's ingress to allow it;
 * - peers: podSelector alone means the policy's namespace; namespaceSelector alone, any pod of
 *   the selected namespaces; both in one peer, both must match; ipBlock peers are external
 *   addresses and never match pods (their IPs are unknown to manifests);
 * - ports: numbers, `endPort` ranges, and names resolved against the destination pod's container
 *   ports (one rule can mean different numbers on different pods); no ports means all.
 */
export const computeConnectivity = (snapshot: ClusterSnapshot): ConnectivityMap => {
  const problems: NetworkProblem[] = [];
  const namespaceLabels = new Map<string, Labels>();
  for (const namespace of snapshot.namespaces) namespaceLabels.set(namespace.name, { ...namespace.labels, 'kubernetes.io/metadata.name': namespace.name });
  const labelsOfNamespace = (name: string): Labels => namespaceLabels.get(name) ?? { 'kubernetes.io/metadata.name': name };

  // Pods of a ReplicaSet of a Deployment are the Deployment: one endpoint per controller.
  const workloads = groupByController(snapshot.workloads).workloads;
  const endpoints: NetworkEndpoint[] = workloads.map((workload) => ({
    id: endpointId(workload),
    namespace: workload.namespace ?? 'default',
    name: workload.name,
    kind: workload.kind,
    labels: workload.podLabels,
    ports: workload.pod.containers.flatMap((container) => container.ports),
    hostNetwork: workload.pod.hostNetwork,
    ...(workload.inferredFrom ? { inferredFrom: workload.inferredFrom } : {}),
  }));

  const matchesPeer = (peer: NetworkPolicyPeer, policy: NetworkPolicy, endpoint: NetworkEndpoint): boolean => {
    if (peer.ipBlock && !peer.podSelector && !peer.namespaceSelector) return false;
    if (peer.namespaceSelector) {
      if (!selectorMatches(peer.namespaceSelector, labelsOfNamespace(endpoint.namespace))) return false;
    } else if (endpoint.namespace !== (policy.namespace ?? 'default')) return false;
    return peer.podSelector ? selectorMatches(peer.podSelector, endpoint.labels) : true;
  };

  const compileRule = (rule: NetworkPolicyRule, policy: NetworkPolicy, path: string): CompiledRule => {
    if (rule.peers === undefined) return { pods: undefined, addresses: IpSet.ALL, ports: rule.ports, policy, path };
    const pods = new Set<number>();
    let addresses = IpSet.EMPTY;
    for (const [index, peer] of rule.peers.entries()) {
      const peerPath = `${path}[${index}]`;
      if (!peer.ipBlock && !peer.podSelector && !peer.namespaceSelector) {
        problems.push({
          policy: policyId(policy),
          path: peerPath,
          message: 'a peer needs podSelector, namespaceSelector or ipBlock; this one has none and matches nothing',
        });
        continue;
      }
      if (peer.ipBlock) {
        if (peer.podSelector || peer.namespaceSelector)
          problems.push({
            policy: policyId(policy),
            path: peerPath,
            message: 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer (the API server rejects it); the selectors are ignored',
          });
        for (const [field, cidr] of [
          ['cidr', peer.ipBlock.cidr],
          ...peer.ipBlock.except.map((except, exceptIndex) => [`except[${exceptIndex}]`, except] as const),
        ] as const) {
          const masked = maskedCidr(cidr);
          if (masked)
            problems.push({
              policy: policyId(policy),
              path: `${peerPath}.ipBlock.${field}`,
              message: `${cidr} has host bits set; read as ${masked}, as the API server reads it`,
            });
        }
        try {
          addresses = addresses.union(IpSet.block(peer.ipBlock.cidr, peer.ipBlock.except));
          for (const except of peer.ipBlock.except) {
            if (IpSet.block(except).subtract(IpSet.block(peer.ipBlock.cidr)).ranges.length > 0)
              problems.push({
                policy: policyId(policy),
                path: `${peerPath}.ipBlock.except`,
                message: `except ${except} is not inside cidr ${peer.ipBlock.cidr}`,
              });
          }
        } catch (error) {
          if (!(error instanceof CidrError)) throw error;
          problems.push({ policy: policyId(policy), path: `${peerPath}.ipBlock`, message: `${error.message}; this peer is ignored` });
        }
        continue;
      }
      endpoints.forEach((endpoint, position) => {
        if (matchesPeer(peer, policy, endpoint)) pods.add(position);
      });
    }
    return { pods, addresses, ports: rule.ports, policy, path };
  };

  // Selectors the API server would refuse are dropped by the normaliser's reading: name them here.
  for (const policy of snapshot.networkPolicies) problems.push(...invalidSelectors(policy));

  // For each endpoint, the rules of the policies that select it, per direction (undefined: not isolated).
  const ingressRules: (CompiledRule[] | undefined)[] = endpoints.map(() => undefined);
  const egressRules: (CompiledRule[] | undefined)[] = endpoints.map(() => undefined);
  const selectingPolicies: string[][] = endpoints.map(() => []);
  for (const policy of snapshot.networkPolicies) {
    const namespace = policy.namespace ?? 'default';
    const selected = endpoints.flatMap((endpoint, position) =>
      endpoint.namespace === namespace && selectorMatches(policy.podSelector, endpoint.labels) ? [position] : [],
    );
    if (selected.length === 0) continue;
    const ingress = policy.policyTypes.includes('Ingress')
      ? policy.ingress.map((rule, index) => compileRule(rule, policy, `spec.ingress[${index}].from`))
      : undefined;
    const egress = policy.policyTypes.includes('Egress')
      ? policy.egress.map((rule, index) => compileRule(rule, policy, `spec.egress[${index}].to`))
      : undefined;
    for (const position of selected) {
      selectingPolicies[position]?.push(policyId(policy));
      if (ingress) ingressRules[position] = [...(ingressRules[position] ?? []), ...ingress];
      if (egress) egressRules[position] = [...(egressRules[position] ?? []), ...egress];
    }
  }

  const reportedNames = new Set<string>();
  /** A rule's ports on one destination pod: named ports resolve against its container ports. */
  const portsOn = (rule: CompiledRule, destination: NetworkEndpoint): PortSet => {
    if (rule.ports === undefined) return PortSet.ALL;
    let set = PortSet.EMPTY;
    for (const port of rule.ports) {
      const protocol: Protocol = port.protocol;
      if (port.port === undefined) {
        set = set.union(PortSet.protocol(protocol));
      } else if (typeof port.port === 'number') {
        if (port.port < 1 || port.port > MAX_PORT || (port.endPort !== undefined && (port.endPort < port.port || port.endPort > MAX_PORT))) {
          const key = `${policyId(rule.policy)} ${rule.path} range`;
          if (!reportedNames.has(key)) {
            reportedNames.add(key);
            problems.push({
              policy: policyId(rule.policy),
              path: rule.path.replace(/\.(from|to)$/, '.ports'),
              message: `port ${port.port}${port.endPort === undefined ? '' : `-${port.endPort}`} is out of range 1-65535; ignored`,
            });
          }
          continue;
        }
        set = set.union(PortSet.of(protocol, port.port, port.endPort ?? port.port));
      } else {
        const named = destination.ports.filter((containerPort) => containerPort.name === port.port && containerPort.protocol === protocol);
        for (const containerPort of named) set = set.union(PortSet.of(protocol, containerPort.containerPort));
      }
    }
    return set;
  };

  /** What one side's rules allow towards (or from) `peer`, on the destination pod's ports. */
  const allowedBy = (rules: readonly CompiledRule[] | undefined, peer: number, destination: number): PortSet => {
    if (rules === undefined) return PortSet.ALL;
    const endpoint = endpoints[destination] as NetworkEndpoint;
    let set = PortSet.EMPTY;
    for (const rule of rules) if (rule.pods === undefined || rule.pods.has(peer)) set = set.union(portsOn(rule, endpoint));
    return set;
  };

  // AdminNetworkPolicy (by priority) and BaselineAdminNetworkPolicy around the NetworkPolicy layer.
  const admin = readAdminPolicies(snapshot.others);
  problems.push(...admin.problems);
  const inSelector = (selector: AdminSelector, endpoint: NetworkEndpoint): boolean =>
    selector.namespaces
      ? selectorMatches(selector.namespaces, labelsOfNamespace(endpoint.namespace))
      : selector.pods !== undefined &&
        selectorMatches(selector.pods.namespaceSelector, labelsOfNamespace(endpoint.namespace)) &&
        selectorMatches(selector.pods.podSelector, endpoint.labels);
  const members = (selectors: readonly AdminSelector[]): Set<number> =>
    new Set(endpoints.flatMap((endpoint, position) => (selectors.some((selector) => inSelector(selector, endpoint)) ? [position] : [])));
  const compiledAdmin = admin.policies.map((policy) => ({
    policy,
    subject: members([policy.subject]),
    ingress: policy.ingress.map((rule) => ({ rule, pods: members(rule.peers) })),
    egress: policy.egress.map((rule) => ({ rule, pods: members(rule.peers) })),
  }));
  const adminPortsOn = (rule: AdminRule, destination: NetworkEndpoint): PortSet => {
    if (rule.ports === undefined) return PortSet.ALL;
    let set = PortSet.EMPTY;
    for (const port of rule.ports) {
      if (port.kind === 'number') set = set.union(PortSet.of(port.protocol, port.port));
      else if (port.kind === 'range') set = set.union(PortSet.of(port.protocol, port.start, port.end));
      else
        for (const containerPort of destination.ports)
          if (containerPort.name === port.name) set = set.union(PortSet.of(containerPort.protocol, containerPort.containerPort));
    }
    return set;
  };
  const anps = compiledAdmin.filter((entry) => entry.policy.kind === 'AdminNetworkPolicy');
  const banp = compiledAdmin.find((entry) => entry.policy.kind === 'BaselineAdminNetworkPolicy');

  /**
   * One direction's verdict for a pair, port by port: admin policies in priority order, first
   * matching rule wins (Allow and Deny are final, Pass hands over to NetworkPolicies); then
   * NetworkPolicies when they isolate the pod; else the baseline policy; else allowed.
   */
  const decide = (direction: 'ingress' | 'egress', self: number, peer: number, destination: number, rules: readonly CompiledRule[] | undefined): PortSet => {
    if (compiledAdmin.length === 0) return allowedBy(rules, peer, destination);
    const target = endpoints[destination] as NetworkEndpoint;
    let undecided = PortSet.ALL;
    let allowed = PortSet.EMPTY;
    let passed = PortSet.EMPTY;
    for (const entry of anps) {
      if (undecided.isEmpty) break;
      if (!entry.subject.has(self)) continue;
      for (const { rule, pods } of entry[direction]) {
        if (!pods.has(peer)) continue;
        const ports = adminPortsOn(rule, target).intersect(undecided);
        if (ports.isEmpty) continue;
        if (rule.action === 'Allow') allowed = allowed.union(ports);
        if (rule.action === 'Pass') passed = passed.union(ports);
        undecided = undecided.subtract(ports);
      }
    }
    let rest = undecided.union(passed);
    if (rules !== undefined) return allowed.union(rest.intersect(allowedBy(rules, peer, destination)));
    if (banp && banp.subject.has(self)) {
      for (const { rule, pods } of banp[direction]) {
        if (!pods.has(peer)) continue;
        const ports = adminPortsOn(rule, target).intersect(rest);
        if (rule.action === 'Allow') allowed = allowed.union(ports);
        rest = rest.subtract(ports);
      }
    }
    return allowed.union(rest);
  };
  const allowedIngress = (destination: number, source: number): PortSet => decide('ingress', destination, source, destination, ingressRules[destination]);
  const allowedEgress = (source: number, destination: number): PortSet => decide('egress', source, destination, destination, egressRules[source]);

  const connections: Connection[] = [];
  for (let source = 0; source < endpoints.length; source++) {
    for (let destination = 0; destination < endpoints.length; destination++) {
      // A self edge is traffic between different pods of a workload; a bare Pod is one pod, and
      // a pod's traffic to itself is never policed.
      if (source === destination && (endpoints[source] as NetworkEndpoint).kind === 'Pod') continue;
      const egress = allowedEgress(source, destination);
      if (egress.isEmpty) continue;
      const ports = egress.intersect(allowedIngress(destination, source));
      if (!ports.isEmpty) connections.push({ from: (endpoints[source] as NetworkEndpoint).id, to: (endpoints[destination] as NetworkEndpoint).id, ports });
    }
  }

  // Named ports no destination declares: the rule then allows nothing on them.
  for (const policy of snapshot.networkPolicies) {
    for (const [direction, rules] of [
      ['ingress', policy.ingress],
      ['egress', policy.egress],
    ] as const) {
      rules.forEach((rule, index) => {
        for (const port of rule.ports ?? []) {
          if (typeof port.port !== 'string') continue;
          if (
            !endpoints.some((endpoint) => endpoint.ports.some((containerPort) => containerPort.name === port.port && containerPort.protocol === port.protocol))
          ) {
            problems.push({
              policy: policyId(policy),
              path: `spec.${direction}[${index}].ports`,
              message: `named port ${JSON.stringify(port.port)} (${port.protocol}) is declared by no container; the rule allows nothing on it`,
            });
          }
        }
      });
    }
  }

  /** External addresses: a rule's ipBlocks (or everything, for a rule without peers), with its ports on that workload. */
  const networkPolicyGrants = (position: number, direction: 'ingress' | 'egress'): ExternalGrant[] => {
    const rules = (direction === 'ingress' ? ingressRules : egressRules)[position];
    const endpoint = endpoints[position] as NetworkEndpoint;
    if (rules === undefined) return [{ workload: endpoint.id, direction, addresses: IpSet.ALL, ports: PortSet.ALL }];
    return rules.flatMap((rule) => {
      if (rule.addresses.isEmpty) return [];
      // Egress to an address: named ports cannot resolve (no pod there), so only numbered ones count.
      const ports =
        direction === 'ingress' ? portsOn(rule, endpoint) : portsOn({ ...rule, ports: rule.ports?.filter((port) => typeof port.port !== 'string') }, endpoint);
      return ports.isEmpty ? [] : [{ workload: endpoint.id, direction, addresses: rule.addresses, ports }];
    });
  };

  /** Egress to external addresses with admin `networks` rules: the same precedence, range by range. */
  const NO_PORTS: NetworkEndpoint = { id: '', namespace: '', name: '', kind: '', labels: {}, ports: [], hostNetwork: false };
  const externalGrants = (position: number, direction: 'ingress' | 'egress'): ExternalGrant[] => {
    const grants = networkPolicyGrants(position, direction);
    if (direction === 'ingress') return grants;
    const adminRules = anps.filter((entry) => entry.subject.has(position)).flatMap((entry) => entry.policy.egress.filter((rule) => !rule.networks.isEmpty));
    const baseline = banp && banp.subject.has(position) ? banp.policy.egress.filter((rule) => !rule.networks.isEmpty) : [];
    if (adminRules.length === 0 && baseline.length === 0) return grants;
    const endpoint = endpoints[position] as NetworkEndpoint;
    const isolated = egressRules[position] !== undefined;
    const inside = (set: IpSet, part: IpSet): boolean => !set.intersect(part).isEmpty;
    return partitionAddresses([
      ...grants.map((grant) => grant.addresses),
      ...adminRules.map((rule) => rule.networks),
      ...baseline.map((rule) => rule.networks),
      IpSet.ALL,
    ]).flatMap((part): ExternalGrant[] => {
      let undecided = PortSet.ALL;
      let allowed = PortSet.EMPTY;
      let passed = PortSet.EMPTY;
      for (const rule of adminRules) {
        if (!inside(rule.networks, part)) continue;
        const ports = adminPortsOn(rule, NO_PORTS).intersect(undecided);
        if (rule.action === 'Allow') allowed = allowed.union(ports);
        if (rule.action === 'Pass') passed = passed.union(ports);
        undecided = undecided.subtract(ports);
      }
      let rest = undecided.union(passed);
      if (isolated) {
        const byPolicies = grants.filter((grant) => inside(grant.addresses, part)).reduce((set, grant) => set.union(grant.ports), PortSet.EMPTY);
        allowed = allowed.union(rest.intersect(byPolicies));
      } else {
        for (const rule of baseline) {
          if (!inside(rule.networks, part)) continue;
          const ports = adminPortsOn(rule, NO_PORTS).intersect(rest);
          if (rule.action === 'Allow') allowed = allowed.union(ports);
          rest = rest.subtract(ports);
        }
        allowed = allowed.union(rest);
      }
      return allowed.isEmpty ? [] : [{ workload: endpoint.id, direction, addresses: part, ports: allowed }];
    });
  };
  const external = endpoints.flatMap((_, position) => [...externalGrants(position, 'ingress'), ...externalGrants(position, 'egress')]);

  // Cilium's and Calico's own policies: the isolation they give is counted, their rules are not analysed.
  const cni = new CniIsolation(snapshot);
  const cniSelecting = workloads.map((workload) => cni.selecting(workload));
  for (const policy of cni.policies) {
    const selected = cniSelecting.filter((entries) => entries.some((entry) => entry.policy === policy)).length;
    problems.push(...policy.cni.problems.map((problem) => ({ policy: cniPolicyId(policy), path: problem.path, message: problem.message })));
    if (selected > 0) {
      problems.push({
        policy: cniPolicyId(policy),
        path: 'spec',
        message: `isolates ${selected} workload${selected === 1 ? '' : 's'}; ${policy.cni.provider} rules are not analysed, so connections shown to and from ${selected === 1 ? 'it' : 'them'} are what NetworkPolicies alone allow (${policy.cni.provider} may allow less)`,
      });
    }
  }
  const isolation = endpoints.map((endpoint, position) => {
    const extra = cniSelecting[position] ?? [];
    return {
      workload: endpoint.id,
      ingress: ingressRules[position] !== undefined || extra.some((entry) => entry.ingress),
      egress: egressRules[position] !== undefined || extra.some((entry) => entry.egress),
      policies: [...(selectingPolicies[position] ?? []), ...extra.map((entry) => entry.id)],
    };
  });
  return { endpoints, connections, external, isolation, problems };
};

/**
 * Which workloads NetworkPolicies isolate, per direction, without the pairwise map: what risk
 * ranking needs, in time linear in workloads × policies of their namespace (the full map is
 * quadratic in workloads).
 */
export const computeIsolation = (snapshot: ClusterSnapshot): Isolation[] => {
  const byNamespace = new Map<string, NetworkPolicy[]>();
  for (const policy of snapshot.networkPolicies) {
    const namespace = policy.namespace ?? 'default';
    const list = byNamespace.get(namespace);
    if (list) list.push(policy);
    else byNamespace.set(namespace, [policy]);
  }
  const cni = new CniIsolation(snapshot);
  return groupByController(snapshot.workloads).workloads.map((workload) => {
    const selecting = (byNamespace.get(workload.namespace ?? 'default') ?? []).filter((policy) => selectorMatches(policy.podSelector, workload.podLabels));
    const extra = cni.selecting(workload);
    return {
      workload: endpointId(workload),
      ingress: selecting.some((policy) => policy.policyTypes.includes('Ingress')) || extra.some((entry) => entry.ingress),
      egress: selecting.some((policy) => policy.policyTypes.includes('Egress')) || extra.some((entry) => entry.egress),
      policies: [...selecting.map(policyId), ...extra.map((entry) => entry.id)],
    };
  });
};
