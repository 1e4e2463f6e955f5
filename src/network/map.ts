import { mapSelectorMatches, type ClusterSnapshot } from '../model/index.js';
import { computeConnectivity, type Connection, type ConnectivityMap, type NetworkEndpoint, type NetworkProblem } from './engine.js';
import { partitionAddresses, type IpSet } from './ip.js';
import type { NetworkGraph } from './graph.js';
import { PortSet } from './ports.js';

/** How a workload can be reached from outside the cluster, and through what. */
export interface Exposure {
  readonly workload: string;
  /** `Service web (LoadBalancer, port 443)`, `Ingress shop → Service web`. */
  readonly via: string;
}

/** A range of external addresses that every workload treats alike: the fewest disjoint ranges. */
export interface ExternalEntity {
  /** `external:10.0.0.0/16,10.2.0.0/15`. */
  readonly id: string;
  readonly addresses: IpSet;
}

export interface ExternalConnection {
  readonly from: string;
  readonly to: string;
  readonly ports: PortSet;
}

export interface NetworkMap {
  readonly workloads: readonly NetworkEndpoint[];
  readonly connections: readonly Connection[];
  readonly entities: readonly ExternalEntity[];
  readonly externalConnections: readonly ExternalConnection[];
  readonly summary: {
    readonly noIngressIsolation: readonly string[];
    readonly noEgressIsolation: readonly string[];
    readonly exposed: readonly Exposure[];
  };
  readonly problems: readonly NetworkProblem[];
  /** With observed flows: allowed, observed, unused and denied ports per pair. */
  readonly graph?: NetworkGraph;
}

/** Services of type LoadBalancer or NodePort, external IPs, and Ingresses and OpenShift Routes that route to a workload. */
export const exposures = (snapshot: ClusterSnapshot, endpoints: readonly NetworkEndpoint[]): Exposure[] => {
  const out: Exposure[] = [];
  for (const service of snapshot.services) {
    if (!service.selector) continue;
    const namespace = service.namespace ?? 'default';
    const external = service.type === 'LoadBalancer' || service.type === 'NodePort' || service.externalIPs.length > 0;
    const selected = endpoints.filter(
      (endpoint) => endpoint.namespace === namespace && mapSelectorMatches(service.selector as Record<string, string>, endpoint.labels),
    );
    if (external) {
      const how =
        service.externalIPs.length > 0 && service.type !== 'LoadBalancer' && service.type !== 'NodePort'
          ? `external IPs ${service.externalIPs.join(', ')}`
          : service.type;
      const ports = service.ports
        .map((port) => (service.type === 'NodePort' && port.nodePort ? `${port.port}, node port ${port.nodePort}` : String(port.port)))
        .join(', ');
      for (const endpoint of selected) out.push({ workload: endpoint.id, via: `Service ${service.name} (${how}, port ${ports})` });
    }
    for (const ingress of snapshot.ingresses) {
      if ((ingress.namespace ?? 'default') !== namespace || !ingress.backends.some((backend) => backend.serviceName === service.name)) continue;
      for (const endpoint of selected)
        out.push({
          workload: endpoint.id,
          via: `Ingress ${ingress.name}${ingress.hosts.length ? ` (${ingress.hosts.join(', ')})` : ''} → Service ${service.name}`,
        });
    }
    // OpenShift Routes expose Services as Ingresses do.
    for (const route of snapshot.others) {
      if (!route.route || (route.namespace ?? 'default') !== namespace || !route.route.services.includes(service.name)) continue;
      for (const endpoint of selected)
        out.push({ workload: endpoint.id, via: `Route ${route.name}${route.route.host ? ` (${route.route.host})` : ''} → Service ${service.name}` });
    }
  }
  return out;
};

/**
 * Splits the address space into the fewest disjoint ranges that every grant either holds whole
 * or not at all: each is one external entity of the map.
 */
export const externalEntities = (sets: readonly IpSet[]): ExternalEntity[] =>
  partitionAddresses(sets).map((addresses) => ({ id: `external:${addresses.toString()}`, addresses }));

/** The connectivity map with external ranges as entities, exposure and an isolation summary. */
export const buildNetworkMap = (snapshot: ClusterSnapshot, computed: ConnectivityMap = computeConnectivity(snapshot)): NetworkMap => {
  const entities = externalEntities(computed.external.map((grant) => grant.addresses));
  const externalConnections: ExternalConnection[] = [];
  for (const entity of entities) {
    const perWorkload = new Map<string, { ingress: PortSet; egress: PortSet }>();
    for (const grant of computed.external) {
      if (grant.addresses.intersect(entity.addresses).isEmpty) continue;
      const current = perWorkload.get(grant.workload) ?? { ingress: PortSet.EMPTY, egress: PortSet.EMPTY };
      current[grant.direction] = current[grant.direction].union(grant.ports);
      perWorkload.set(grant.workload, current);
    }
    for (const [workload, ports] of perWorkload) {
      if (!ports.egress.isEmpty) externalConnections.push({ from: workload, to: entity.id, ports: ports.egress });
      if (!ports.ingress.isEmpty) externalConnections.push({ from: entity.id, to: workload, ports: ports.ingress });
    }
  }
  return {
    workloads: computed.endpoints,
    connections: computed.connections,
    entities,
    externalConnections,
    summary: {
      noIngressIsolation: computed.isolation.filter((entry) => !entry.ingress).map((entry) => entry.workload),
      noEgressIsolation: computed.isolation.filter((entry) => !entry.egress).map((entry) => entry.workload),
      exposed: exposures(snapshot, computed.endpoints),
    },
    problems: computed.problems,
  };
};

/** Keeps what touches one workload (matched by id, `namespace/name` or name). */
export const focusMap = (map: NetworkMap, focus: string): NetworkMap | undefined => {
  const matches = (id: string): boolean => {
    const [namespace, , name] = id.split('/');
    return id === focus || `${namespace}/${name}` === focus || name === focus;
  };
  if (!map.workloads.some((workload) => matches(workload.id))) return undefined;
  return focusOn(map, matches);
};

/** The map of one namespace: its workloads, the peers they can talk with, and their exposure. */
export const namespaceMap = (map: NetworkMap, namespace: string): NetworkMap => focusOn(map, (id) => id.startsWith(`${namespace}/`));

const focusOn = (map: NetworkMap, matches: (id: string) => boolean): NetworkMap => {
  const touches = (edge: { from: string; to: string }): boolean => matches(edge.from) || matches(edge.to);
  const externalConnections = map.externalConnections.filter(touches);
  const entityIds = new Set(externalConnections.flatMap((edge) => [edge.from, edge.to]));
  return {
    ...map,
    workloads: map.workloads.filter(
      (workload) => matches(workload.id) || map.connections.some((edge) => touches(edge) && (edge.from === workload.id || edge.to === workload.id)),
    ),
    connections: map.connections.filter(touches),
    entities: map.entities.filter((entity) => entityIds.has(entity.id)),
    externalConnections,
    ...(map.graph ? { graph: { nodes: map.graph.nodes, edges: map.graph.edges.filter(touches) } } : {}),
    summary: {
      noIngressIsolation: map.summary.noIngressIsolation.filter(matches),
      noEgressIsolation: map.summary.noEgressIsolation.filter(matches),
      exposed: map.summary.exposed.filter((exposure) => matches(exposure.workload)),
    },
  };
};
