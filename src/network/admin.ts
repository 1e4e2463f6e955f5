import { labelSelector } from '../k8s/index.js';
import type { LabelSelector, OtherObject, Protocol } from '../model/index.js';
import { CidrError, IpSet, maskedCidr } from './ip.js';
import { PROTOCOLS } from './ports.js';

/** Who an admin policy (or one of its peers) names: pods of selected namespaces, or selected pods of selected namespaces. */
export interface AdminSelector {
  readonly namespaces?: LabelSelector;
  readonly pods?: { readonly namespaceSelector: LabelSelector; readonly podSelector: LabelSelector };
}

export type AdminPort =
  | { readonly kind: 'number'; readonly protocol: Protocol; readonly port: number }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'range'; readonly protocol: Protocol; readonly start: number; readonly end: number };

export interface AdminRule {
  readonly name: string;
  readonly action: 'Allow' | 'Deny' | 'Pass';
  /** Pod peers; `networks` (egress only) are external ranges. */
  readonly peers: readonly AdminSelector[];
  readonly networks: IpSet;
  /** `undefined`: every port. */
  readonly ports: readonly AdminPort[] | undefined;
  readonly path: string;
}

export interface AdminPolicy {
  readonly kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
  readonly name: string;
  /** ANP precedence (0-1000, lower first); BANP has none. */
  readonly priority: number;
  readonly subject: AdminSelector;
  readonly ingress: readonly AdminRule[];
  readonly egress: readonly AdminRule[];
}

export interface AdminProblem {
  readonly policy: string;
  readonly path: string;
  readonly message: string;
}

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Dict[] => (Array.isArray(value) ? value.filter(isDict) : []);
const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

const selectorOf = (value: unknown): AdminSelector | undefined => {
  if (!isDict(value)) return undefined;
  if (isDict(value.namespaces)) return { namespaces: labelSelector(value.namespaces) ?? EVERYTHING };
  if (isDict(value.pods)) {
    return {
      pods: { namespaceSelector: labelSelector(value.pods.namespaceSelector) ?? EVERYTHING, podSelector: labelSelector(value.pods.podSelector) ?? EVERYTHING },
    };
  }
  return undefined;
};

/**
 * Reads AdminNetworkPolicy and BaselineAdminNetworkPolicy objects (policy.networking.k8s.io
 * v1alpha1, as the network-policy-api project defines them): subject, priority, and ordered
 * ingress and egress rules with Allow, Deny and (ANP only) Pass. What cannot be used is a problem
 * with the field; the rest of the policy still counts.
 */
export const readAdminPolicies = (objects: readonly OtherObject[]): { policies: AdminPolicy[]; problems: AdminProblem[] } => {
  const policies: AdminPolicy[] = [];
  const problems: AdminProblem[] = [];
  for (const object of objects) {
    if (object.kind !== 'AdminNetworkPolicy' && object.kind !== 'BaselineAdminNetworkPolicy') continue;
    const id = `${object.kind}/${object.name}`;
    const problem = (path: string, message: string): void => void problems.push({ policy: id, path, message });
    const spec = isDict(object.raw.spec) ? object.raw.spec : {};
    const baseline = object.kind === 'BaselineAdminNetworkPolicy';
    if (baseline && object.name !== 'default') {
      problem('metadata.name', 'a BaselineAdminNetworkPolicy must be named "default" (the API server rejects others); ignored');
      continue;
    }
    const priority = typeof spec.priority === 'number' ? spec.priority : Number.NaN;
    if (!baseline && (!Number.isInteger(priority) || priority < 0 || priority > 1000)) {
      problem('spec.priority', 'priority must be a whole number from 0 to 1000; ignored');
      continue;
    }
    const subject = selectorOf(spec.subject);
    if (!subject) {
      problem('spec.subject', 'subject needs namespaces or pods; ignored');
      continue;
    }
    const rules = (direction: 'ingress' | 'egress'): AdminRule[] =>
      list(spec[direction]).flatMap((rule, index): AdminRule[] => {
        const path = `spec.${direction}[${index}]`;
        const action = rule.action;
        if (action !== 'Allow' && action !== 'Deny' && !(action === 'Pass' && !baseline)) {
          problem(`${path}.action`, `action must be Allow, Deny${baseline ? '' : ' or Pass'} (got ${JSON.stringify(action)}); rule ignored`);
          return [];
        }
        const peers: AdminSelector[] = [];
        let networks = IpSet.EMPTY;
        list(rule[direction === 'ingress' ? 'from' : 'to']).forEach((peer, peerIndex) => {
          const peerPath = `${path}.${direction === 'ingress' ? 'from' : 'to'}[${peerIndex}]`;
          const selected = selectorOf(peer);
          if (selected) return void peers.push(selected);
          if (direction === 'egress' && Array.isArray(peer.networks)) {
            for (const cidr of peer.networks) {
              const masked = maskedCidr(String(cidr));
              if (masked)
                problem(`${peerPath}.networks`, `${String(cidr)} has host bits set; read as ${masked}, as the API server (Go's net.ParseCIDR) reads it`);
              try {
                networks = networks.union(IpSet.block(String(cidr)));
              } catch (error) {
                if (!(error instanceof CidrError)) throw error;
                problem(`${peerPath}.networks`, `${error.message}; ignored`);
              }
            }
            return;
          }
          if (direction === 'egress' && isDict(peer.nodes))
            return void problem(`${peerPath}.nodes`, 'node peers are not modelled (manifests carry no nodes); ignored');
          problem(peerPath, 'a peer needs namespaces or pods (or networks, for egress); ignored');
        });
        const ports = Array.isArray(rule.ports)
          ? list(rule.ports).flatMap((port, portIndex): AdminPort[] => {
              const portPath = `${path}.ports[${portIndex}]`;
              const protocolOf = (value: unknown): Protocol => (PROTOCOLS.includes(value as Protocol) ? (value as Protocol) : 'TCP');
              if (isDict(port.portNumber) && typeof port.portNumber.port === 'number')
                return [{ kind: 'number', protocol: protocolOf(port.portNumber.protocol), port: port.portNumber.port }];
              if (typeof port.namedPort === 'string') return [{ kind: 'named', name: port.namedPort }];
              if (
                isDict(port.portRange) &&
                typeof port.portRange.start === 'number' &&
                typeof port.portRange.end === 'number' &&
                port.portRange.start <= port.portRange.end
              ) {
                return [{ kind: 'range', protocol: protocolOf(port.portRange.protocol), start: port.portRange.start, end: port.portRange.end }];
              }
              problem(portPath, 'a port needs portNumber {port}, namedPort or portRange {start <= end}; ignored');
              return [];
            })
          : undefined;
        return [{ name: typeof rule.name === 'string' ? rule.name : `${direction}[${index}]`, action, peers, networks, ports, path }];
      });
    policies.push({
      kind: object.kind,
      name: object.name,
      priority: baseline ? Number.POSITIVE_INFINITY : priority,
      subject,
      ingress: rules('ingress'),
      egress: rules('egress'),
    });
  }
  // Precedence: lower priority first; equal priorities have no defined order, so name order keeps results stable.
  policies.sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  return { policies, problems };
};
