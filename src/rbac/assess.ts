import type { ClusterSnapshot, Subject } from '../model/index.js';
import { explainAccess, groupsOf, serviceAccountUserName, subjectId, type AccessRequest, type Grant } from './authorizer.js';

export type PermissionLevel = 'none' | 'namespace-limited' | 'elevated-in-namespace' | 'elevated-cluster-wide' | 'cluster-admin';

/** A dangerous permission a subject holds, with the grants that give it. */
export interface RbacFlag {
  readonly id: string;
  readonly title: string;
  /** `cluster` or the namespace it holds in. */
  readonly scope: string;
  readonly evidence: readonly Grant[];
}

export interface SubjectAssessment {
  readonly subject: Subject;
  readonly level: PermissionLevel;
  readonly flags: readonly RbacFlag[];
}

const CHECKS: readonly { id: string; title: string; requests: readonly Omit<AccessRequest, 'namespace'>[] }[] = [
  { id: 'cluster-admin', title: 'every verb on every resource (cluster-admin equivalent)', requests: [{ verb: '*', group: '*', resource: '*' }] },
  {
    id: 'read-secrets',
    title: 'read Secrets',
    requests: [
      { verb: 'get', group: '', resource: 'secrets' },
      { verb: 'list', group: '', resource: 'secrets' },
      { verb: 'watch', group: '', resource: 'secrets' },
    ],
  },
  {
    id: 'exec-into-pods',
    title: 'exec or attach into pods',
    requests: [
      { verb: 'create', group: '', resource: 'pods/exec' },
      { verb: 'create', group: '', resource: 'pods/attach' },
      { verb: 'get', group: '', resource: 'pods/exec' },
    ],
  },
  {
    id: 'create-workloads',
    title: 'create pods or workloads (a path to any service account token in the namespace)',
    requests: [
      { verb: 'create', group: '', resource: 'pods' },
      ...['deployments', 'daemonsets', 'statefulsets', 'replicasets'].map((resource) => ({ verb: 'create', group: 'apps', resource })),
      ...['jobs', 'cronjobs'].map((resource) => ({ verb: 'create', group: 'batch', resource })),
    ],
  },
  {
    id: 'escalate',
    title: 'escalate roles (grant more than it holds)',
    requests: ['roles', 'clusterroles'].map((resource) => ({ verb: 'escalate', group: 'rbac.authorization.k8s.io', resource })),
  },
  {
    id: 'bind',
    title: 'bind roles (grant any role it can bind)',
    requests: ['roles', 'clusterroles'].map((resource) => ({ verb: 'bind', group: 'rbac.authorization.k8s.io', resource })),
  },
  {
    id: 'impersonate',
    title: 'impersonate users, groups or service accounts',
    requests: ['users', 'groups', 'serviceaccounts'].map((resource) => ({ verb: 'impersonate', group: '', resource })),
  },
  {
    id: 'node-proxy',
    title: 'nodes/proxy (the kubelet API: exec in any pod of the node)',
    requests: [
      { verb: 'get', group: '', resource: 'nodes/proxy' },
      { verb: 'create', group: '', resource: 'nodes/proxy' },
    ],
  },
  { id: 'create-tokens', title: 'create service account tokens', requests: [{ verb: 'create', group: '', resource: 'serviceaccounts/token' }] },
  {
    id: 'write-rbac',
    title: 'write RBAC objects',
    requests: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].flatMap((resource) =>
      ['create', 'update', 'patch'].map((verb) => ({ verb, group: 'rbac.authorization.k8s.io', resource })),
    ),
  },
];

/** Flags that make a subject elevated (beyond reading and editing ordinary objects). */
const ELEVATED = new Set(CHECKS.map((check) => check.id));

/**
 * Dangerous permissions and a permission level for every subject the bindings name, with the
 * grants as evidence. Namespaced grants are judged in their namespace, cluster-wide ones once.
 */
export const assessSubjects = (grants: readonly Grant[], serviceAccounts: readonly Subject[] = []): SubjectAssessment[] => {
  const subjects = new Map<string, Subject>();
  for (const account of serviceAccounts) subjects.set(subjectId(account), account);
  const byHolder = new Map<string, Grant[]>();
  for (const grant of grants) {
    const key = subjectId(grant.subject);
    subjects.set(key, grant.subject);
    const list = byHolder.get(key);
    if (list) list.push(grant);
    else byHolder.set(key, [grant]);
  }
  // What a subject holds: its own grants, its groups' (a service account is in system:serviceaccounts[:ns] and system:authenticated), and a User binding of its user name.
  const holdersOf = (subject: Subject): string[] => {
    const userName = serviceAccountUserName(subject);
    return [subjectId(subject), ...groupsOf(subject).map((group) => `Group ${group}`), ...(userName ? [`User ${userName}`] : [])];
  };
  return [...subjects.values()]
    .map((subject): SubjectAssessment => {
      const own = [...new Set(holdersOf(subject).flatMap((key) => byHolder.get(key) ?? []))];
      const scopes = [...new Set(own.map((grant) => grant.scope))].sort((a, b) => (a === 'cluster' ? -1 : b === 'cluster' ? 1 : a.localeCompare(b)));
      const flags: RbacFlag[] = [];
      for (const check of CHECKS) {
        for (const scope of scopes) {
          const evidence = check.requests
            .flatMap((request) => explainAccess(own, subject, scope === 'cluster' ? request : { ...request, namespace: scope }))
            .filter((grant) => grant.scope === scope);
          if (evidence.length > 0) flags.push({ id: check.id, title: check.title, scope, evidence: [...new Set(evidence)] });
        }
      }
      if (subject.name === 'system:anonymous' || subject.name === 'system:unauthenticated') {
        flags.push({
          id: 'anonymous-binding',
          title: `bound to ${subject.name}: anyone who can reach the API server holds these grants`,
          scope: 'cluster',
          evidence: own,
        });
      }
      const clusterAdmin = flags.some((flag) => flag.id === 'cluster-admin' && flag.scope === 'cluster');
      const elevatedCluster = flags.some((flag) => ELEVATED.has(flag.id) && flag.scope === 'cluster');
      const elevatedNamespace = flags.some((flag) => ELEVATED.has(flag.id));
      const level: PermissionLevel = clusterAdmin
        ? 'cluster-admin'
        : elevatedCluster
          ? 'elevated-cluster-wide'
          : elevatedNamespace
            ? 'elevated-in-namespace'
            : own.length > 0
              ? 'namespace-limited'
              : 'none';
      return { subject, level, flags };
    })
    .sort((a, b) => LEVELS.indexOf(b.level) - LEVELS.indexOf(a.level) || subjectId(a.subject).localeCompare(subjectId(b.subject)));
};

export const LEVELS: readonly PermissionLevel[] = ['none', 'namespace-limited', 'elevated-in-namespace', 'elevated-cluster-wide', 'cluster-admin'];

/** The snapshot's ServiceAccounts as subjects, so accounts without any binding are assessed too (level none). */
export const serviceAccountSubjects = (snapshot: ClusterSnapshot): Subject[] =>
  snapshot.serviceAccounts.map((account) => ({ kind: 'ServiceAccount', name: account.name, namespace: account.namespace ?? 'default' }));
