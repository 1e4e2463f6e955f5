import type { ClusterSnapshot } from '../model/index.js';
import { computeConnectivity, type ConnectivityMap } from './engine.js';
import { externalEntities } from './map.js';
import type { IpSet } from './ip.js';
import { PortSet } from './ports.js';

export interface ConnectionChange {
  readonly from: string;
  readonly to: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before: PortSet;
  readonly after: PortSet;
  /** Ports that open (`after` minus `before`) and that close. */
  readonly opened: PortSet;
  readonly closed: PortSet;
}

export interface NetworkDiff {
  readonly changes: readonly ConnectionChange[];
  /** Workloads only one side has (their connections are not compared). */
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
}

const key = (from: string, to: string): string => `${from}\u0000${to}`;

/**
 * What a change of manifests does to connectivity: connections added, removed and changed,
 * between workloads both sides have and with external ranges (split so both sides agree on them).
 */
export const diffConnectivity = (beforeSnapshot: ClusterSnapshot, afterSnapshot: ClusterSnapshot): NetworkDiff => {
  const before = computeConnectivity(beforeSnapshot);
  const after = computeConnectivity(afterSnapshot);
  const beforeIds = new Set(before.endpoints.map((endpoint) => endpoint.id));
  const afterIds = new Set(after.endpoints.map((endpoint) => endpoint.id));
  const common = (id: string): boolean => beforeIds.has(id) && afterIds.has(id);

  const edges = (map: ConnectivityMap, entityIds: readonly { id: string; addresses: IpSet }[]): Map<string, { from: string; to: string; ports: PortSet }> => {
    const out = new Map<string, { from: string; to: string; ports: PortSet }>();
    const add = (from: string, to: string, ports: PortSet): void => {
      const existing = out.get(key(from, to));
      out.set(key(from, to), { from, to, ports: existing ? existing.ports.union(ports) : ports });
    };
    for (const connection of map.connections) if (common(connection.from) && common(connection.to)) add(connection.from, connection.to, connection.ports);
    for (const grant of map.external) {
      if (!common(grant.workload)) continue;
      for (const entity of entityIds) {
        if (grant.addresses.intersect(entity.addresses).isEmpty) continue;
        if (grant.direction === 'egress') add(grant.workload, entity.id, grant.ports);
        else add(entity.id, grant.workload, grant.ports);
      }
    }
    return out;
  };
  const entities = externalEntities([...before.external, ...after.external].map((grant) => grant.addresses));
  const was = edges(before, entities);
  const now = edges(after, entities);
  const changes: ConnectionChange[] = [];
  for (const id of new Set([...was.keys(), ...now.keys()])) {
    const old = was.get(id);
    const current = now.get(id);
    const beforePorts = old?.ports ?? PortSet.EMPTY;
    const afterPorts = current?.ports ?? PortSet.EMPTY;
    if (beforePorts.equals(afterPorts)) continue;
    const { from, to } = (current ?? old) as { from: string; to: string };
    changes.push({
      from,
      to,
      change: old === undefined ? 'added' : current === undefined ? 'removed' : 'changed',
      before: beforePorts,
      after: afterPorts,
      opened: afterPorts.subtract(beforePorts),
      closed: beforePorts.subtract(afterPorts),
    });
  }
  changes.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { changes, onlyBefore: [...beforeIds].filter((id) => !afterIds.has(id)).sort(), onlyAfter: [...afterIds].filter((id) => !beforeIds.has(id)).sort() };
};
