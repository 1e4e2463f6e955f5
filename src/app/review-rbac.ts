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
