import type { ClusterSnapshot, Subject } from '../model/index.js';
import { assessSubjects, collectGrants, grantsOf, serviceAccountSubjects, whoCan, type AccessRequest, type RbacProblem } from '../rbac/index.js';
import type { RbacReport } from '../report/rbac/index.js';

type RbacAnswer<Kind extends RbacReport['kind']> = { readonly report: Extract<RbacReport, { kind: Kind }>; readonly problems: readonly RbacProblem[] };

/** `rbac who-can`: every subject the snapshot's bindings allow the request, with the chain of grants. */
export const whoCanInCluster = (snapshot: ClusterSnapshot, request: AccessRequest, asked: string): RbacAnswer<'who-can'> => {
  const { grants, problems } = collectGrants(snapshot);
  return { report: { kind: 'who-can', request, asked, subjects: whoCan(grants, request) }, problems };
};

/** `rbac review`: every subject with its permission level and dangerous permissions, worst first. */
export const reviewRbac = (snapshot: ClusterSnapshot): RbacAnswer<'review'> => {
  const { grants, problems } = collectGrants(snapshot);
  return { report: { kind: 'review', subjects: assessSubjects(grants, serviceAccountSubjects(snapshot)) }, problems };
};

/** `rbac explain`: every permission a subject holds (directly or through its groups) and the chain that grants it. */
export const explainSubject = (snapshot: ClusterSnapshot, subject: Subject): RbacAnswer<'explain'> => {
  const { grants, problems } = collectGrants(snapshot);
  const held = grantsOf(grants, subject);
  const [assessment] = assessSubjects(held.map((grant) => ({ ...grant, subject })));
  return { report: { kind: 'explain', subject, level: assessment?.level ?? 'none', flags: assessment?.flags ?? [], grants: held }, problems };
};

/** `group/resource` or `resource[/subresource]`, as kubectl auth can-i takes it (`deployments.apps` too). */
const parseResource = (text: string): { group: string; resource: string } => {
  const [head, ...rest] = text.split('/');
  const dot = (head ?? '').indexOf('.');
  if (dot > 0) return { resource: [head?.slice(0, dot), ...rest].join('/'), group: (head as string).slice(dot + 1) };
  const known: Record<string, string> = {
    deployments: 'apps',
    statefulsets: 'apps',
    daemonsets: 'apps',
    replicasets: 'apps',
    jobs: 'batch',
    cronjobs: 'batch',
    roles: 'rbac.authorization.k8s.io',
    rolebindings: 'rbac.authorization.k8s.io',
    clusterroles: 'rbac.authorization.k8s.io',
    clusterrolebindings: 'rbac.authorization.k8s.io',
    networkpolicies: 'networking.k8s.io',
    ingresses: 'networking.k8s.io',
  };
  return { resource: text, group: known[head ?? ''] ?? '' };
};

/** A who-can question as `kubectl auth can-i` takes it: a resource (`pods/exec`, `deployments.apps`) or a non-resource path (`/metrics`). */
export const accessRequest = (
  verb: string,
  target: string,
  where: { readonly namespace?: string | undefined; readonly name?: string | undefined } = {},
): AccessRequest =>
  target.startsWith('/')
    ? { verb, path: target }
    : { verb, ...parseResource(target), ...(where.namespace ? { namespace: where.namespace } : {}), ...(where.name ? { name: where.name } : {}) };
