import type { Flow } from './generate.js';
import { IpSet, parseCidr } from './ip.js';
import type { NetworkMap } from './map.js';
import { PortSet } from './ports.js';

export interface GraphNode {
  readonly id: string;
  readonly type: 'namespace' | 'workload' | 'external';
  readonly label: string;
  /** The namespace node a workload belongs to. */
  readonly parent?: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** What the policies allow. */
  readonly allowed: PortSet;
  /** What was seen (when flows are given). */
  readonly observed: PortSet;
  /** Allowed but never seen: candidates for tightening. */
  readonly unused: PortSet;
  /** Seen but not allowed: traffic the policies would (or do) drop. */
  readonly denied: PortSet;
}

export interface NetworkGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/**
 * The map as a graph for the server and the UI: namespaces, workloads and external ranges as
 * nodes; per pair, the ports allowed, observed, allowed but unused, and observed but denied.
 */
export const networkGraph = (map: NetworkMap, flows: readonly Flow[] = []): NetworkGraph => {
  const nodes: GraphNode[] = [
    ...[...new Set(map.workloads.map((workload) => workload.namespace))]
      .sort()
      .map((namespace): GraphNode => ({ id: `namespace:${namespace}`, type: 'namespace', label: namespace })),
    ...map.workloads.map((workload): GraphNode => ({
      id: workload.id,
      type: 'workload',
      label: `${workload.kind}/${workload.name}`,
      parent: `namespace:${workload.namespace}`,
    })),
    ...map.entities.map((entity): GraphNode => ({ id: entity.id, type: 'external', label: entity.addresses.toString() })),
  ];
  const workloadId = (name: string): string | undefined => {
    const found = map.workloads.find((workload) => workload.id === name || `${workload.namespace}/${workload.name}` === name);
    if (found) return found.id;
    try {
      const address = new IpSet([parseCidr(name.includes('/') ? name : name.includes(':') ? `${name}/128` : `${name}/32`)]);
      return map.entities.find((entity) => !entity.addresses.intersect(address).isEmpty)?.id ?? `external:${address.toString()}`;
    } catch {
      return undefined;
    }
  };
  const edges = new Map<string, { from: string; to: string; allowed: PortSet; observed: PortSet }>();
  const entry = (from: string, to: string) => {
    const key = `${from}\u0000${to}`;
    let edge = edges.get(key);
    if (!edge) edges.set(key, (edge = { from, to, allowed: PortSet.EMPTY, observed: PortSet.EMPTY }));
    return edge;
  };
  for (const connection of [...map.connections, ...map.externalConnections]) {
    const edge = entry(connection.from, connection.to);
    edge.allowed = edge.allowed.union(connection.ports);
  }
  for (const flow of flows) {
    const from = workloadId(flow.source);
    const to = workloadId(flow.destination);
    if (!from || !to) continue;
    const edge = entry(from, to);
    edge.observed = edge.observed.union(PortSet.of(flow.protocol, flow.port));
  }
  return {
    nodes,
    edges: [...edges.values()].map((edge) => ({
      ...edge,
      unused: flows.length === 0 ? PortSet.EMPTY : edge.allowed.subtract(edge.observed),
      denied: edge.observed.subtract(edge.allowed),
    })),
  };
};
