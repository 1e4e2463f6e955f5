import { selectorMatches, type ClusterSnapshot, type PolicyRule, type RoleBinding, type Subject } from '../model/index.js';
import { BUILT_IN_CLUSTER_ROLES } from './cluster-roles.js';

/** What is asked of the API server, as the RBAC authorizer sees it. */
export interface AccessRequest {
  readonly verb: string;
  /** API group: `""` for the core group. */
  readonly group?: string;
  /** `pods`, or with its subresource `pods/exec`. */
  readonly resource?: string;
  readonly name?: string;
  /** Absent for cluster-wide requests (`list pods --all-namespaces`, nodes, ...). */
  readonly namespace?: string;
  /** Non-resource requests: `/metrics`, `/healthz`. */
  readonly path?: string;
}

/** One way a subject holds a permission: binding → role → rule. */
export interface Grant {
  readonly subject: Subject;
  readonly binding: { readonly kind: RoleBinding['kind']; readonly name: string; readonly namespace?: string };
  readonly role: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string; readonly namespace?: string; readonly builtIn: boolean };
  /** Where it applies: a namespace (RoleBinding), or the whole cluster (ClusterRoleBinding). */
  readonly scope: string | 'cluster';
  readonly rule: PolicyRule;
  /** ClusterRoles whose rules were gathered into this one by aggregation, when the rule came that way. */
  readonly aggregatedFrom?: string;
}

export interface RbacProblem {
  readonly object: string;
  readonly message: string;
}

const verbMatches = (rule: PolicyRule, verb: string): boolean => rule.verbs.includes('*') || rule.verbs.includes(verb);
const groupMatches = (rule: PolicyRule, group: string): boolean => rule.apiGroups.includes('*') || rule.apiGroups.includes(group);

// As the RBAC authorizer: "*", the exact resource ("pods/exec"), or "*" + "/subresource"; "pods/*" is no wildcard.
const resourceMatches = (rule: PolicyRule, resource: string): boolean => {
  const subresource = resource.includes('/') ? resource.slice(resource.indexOf('/') + 1) : '';
  return rule.resources.some((granted) => granted === '*' || granted === resource || (subresource !== '' && granted === `*/${subresource}`));
};

const nameMatches = (rule: PolicyRule, name: string | undefined): boolean =>
  rule.resourceNames.length === 0 || (name !== undefined && rule.resourceNames.includes(name));

const pathMatches = (rule: PolicyRule, path: string): boolean =>
  rule.nonResourceURLs.some((granted) => granted === '*' || granted === path || (granted.endsWith('*') && path.startsWith(granted.slice(0, -1))));

/** Whether one rule allows a request, exactly as Kubernetes' RBAC authorizer decides (rbac/v1 helpers). */
export const ruleAllows = (rule: PolicyRule, request: AccessRequest): boolean => {
  if (!verbMatches(rule, request.verb)) return false;
  if (request.path !== undefined) return pathMatches(rule, request.path);
  return groupMatches(rule, request.group ?? '') && resourceMatches(rule, request.resource ?? '') && nameMatches(rule, request.name);
};

/** The groups Kubernetes puts a subject in: service accounts are in `system:serviceaccounts[:<ns>]`, everyone authenticated in `system:authenticated`. */
export const groupsOf = (subject: Subject): string[] =>
  subject.kind === 'ServiceAccount'
    ? ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace ?? 'default'}`, 'system:authenticated']
    : subject.kind === 'User' && subject.name !== 'system:anonymous'
      ? ['system:authenticated']
      : subject.name === 'system:anonymous'
        ? ['system:unauthenticated']
        : [];

export const subjectId = (subject: Subject): string =>
  subject.kind === 'ServiceAccount' ? `ServiceAccount ${subject.namespace ?? 'default'}/${subject.name}` : `${subject.kind} ${subject.name}`;

/**
 * Every grant of a snapshot: each binding's subjects, through its role (aggregated ClusterRoles
 * gathered to a fixpoint; the bootstrap roles cluster-admin, admin, edit and view when the inputs
 * lack them), rule by rule. Bindings to missing roles are problems, not crashes.
 */
export const collectGrants = (snapshot: ClusterSnapshot): { grants: Grant[]; problems: RbacProblem[] } => {
  const problems: RbacProblem[] = [];
  const clusterRoles = new Map(snapshot.roles.filter((role) => role.kind === 'ClusterRole').map((role) => [role.name, role]));
  const roles = new Map(snapshot.roles.filter((role) => role.kind === 'Role').map((role) => [`${role.namespace ?? 'default'}/${role.name}`, role]));
  const aggregated = new Map<string, { rule: PolicyRule; from?: string }[]>();
  const rulesOfClusterRole = (name: string, seen: Set<string> = new Set()): { rule: PolicyRule; from?: string }[] | undefined => {
    const cached = aggregated.get(name);
    if (cached) return cached;
    const role = clusterRoles.get(name);
    if (!role) return BUILT_IN_CLUSTER_ROLES[name]?.map((rule) => ({ rule }));
    seen.add(name);
    const rules: { rule: PolicyRule; from?: string }[] = role.rules.map((rule) => ({ rule }));
    // Aggregation: the controller copies the rules of every ClusterRole the selectors match.
    for (const other of clusterRoles.values()) {
      if (other.name === name || seen.has(other.name) || !role.aggregationSelectors.some((selector) => selectorMatches(selector, other.labels))) continue;
      for (const entry of rulesOfClusterRole(other.name, seen) ?? []) rules.push({ rule: entry.rule, from: entry.from ?? other.name });
    }
    aggregated.set(name, rules);
    return rules;
  };
  const grants: Grant[] = [];
  // Missing service accounts are only told when the inputs declare some (a cluster dump, a whole app), not for a lone manifest.
  const accounts =
    snapshot.serviceAccounts.length > 0 ? new Set(snapshot.serviceAccounts.map((account) => `${account.namespace ?? 'default'}/${account.name}`)) : undefined;
  for (const binding of snapshot.roleBindings) {
    const bindingNamespace = binding.kind === 'RoleBinding' ? (binding.namespace ?? 'default') : undefined;
    const bindingId = `${binding.kind} ${bindingNamespace ? `${bindingNamespace}/` : ''}${binding.name}`;
    for (const subject of binding.invalidSubjects ?? [])
      problems.push({
        object: bindingId,
        message: `subject ${JSON.stringify(subject.name)} has kind ${JSON.stringify(subject.kind)}, not ServiceAccount, User or Group (kinds are case-sensitive); the API server rejects the binding`,
      });
    for (const subject of binding.subjects) {
      if (subject.kind !== 'ServiceAccount') continue;
      if (subject.namespace === undefined && binding.kind === 'ClusterRoleBinding')
        problems.push({ object: bindingId, message: `service account subject ${subject.name} has no namespace; the API server rejects the binding` });
      else if (accounts && !accounts.has(`${subject.namespace ?? bindingNamespace}/${subject.name}`))
        problems.push({
          object: bindingId,
          message: `binds ServiceAccount ${subject.namespace ?? bindingNamespace}/${subject.name}, which is not in the inputs: whoever creates that account gets the grant`,
        });
    }
    let rules: { rule: PolicyRule; from?: string }[] | undefined;
    if (binding.roleRef.kind === 'ClusterRole') rules = rulesOfClusterRole(binding.roleRef.name);
    else if (binding.kind === 'ClusterRoleBinding')
      problems.push({ object: bindingId, message: `a ClusterRoleBinding cannot refer to a Role (${binding.roleRef.name}); the API server rejects it` });
    else rules = roles.get(`${bindingNamespace}/${binding.roleRef.name}`)?.rules.map((rule) => ({ rule }));
    if (!rules) {
      if (binding.kind === 'RoleBinding' || binding.roleRef.kind === 'ClusterRole')
        problems.push({
          object: bindingId,
          message: `refers to ${binding.roleRef.kind} ${binding.roleRef.name}, which is not in the inputs (nor a built-in role); it grants nothing here`,
        });
      continue;
    }
    const builtIn = binding.roleRef.kind === 'ClusterRole' && !clusterRoles.has(binding.roleRef.name);
    for (const subject of binding.subjects) {
      const normalised: Subject = subject.kind === 'ServiceAccount' ? { ...subject, namespace: subject.namespace ?? bindingNamespace ?? 'default' } : subject;
      for (const { rule, from } of rules) {
        grants.push({
          subject: normalised,
          binding: { kind: binding.kind, name: binding.name, ...(bindingNamespace ? { namespace: bindingNamespace } : {}) },
          role: {
            kind: binding.roleRef.kind,
            name: binding.roleRef.name,
            ...(binding.roleRef.kind === 'Role' ? { namespace: bindingNamespace as string } : {}),
            builtIn,
          },
          scope: bindingNamespace ?? 'cluster',
          rule,
          ...(from ? { aggregatedFrom: from } : {}),
        });
      }
    }
  }
  return { grants, problems };
};

/** Whether a grant applies to a request's namespace: cluster-wide grants everywhere, namespaced ones in their namespace only. */
const inScope = (grant: Grant, request: AccessRequest): boolean =>
  grant.scope === 'cluster' || (request.namespace !== undefined && request.namespace === grant.scope && request.path === undefined);

/** The user name a service account authenticates as: a User subject of that name is the account. */
export const serviceAccountUserName = (subject: Subject): string | undefined =>
  subject.kind === 'ServiceAccount' ? `system:serviceaccount:${subject.namespace ?? 'default'}:${subject.name}` : undefined;

const holds = (grant: Grant, subject: Subject): boolean => {
  const own = grant.subject;
  if (own.kind === 'Group') return groupsOf(subject).includes(own.name) || (subject.kind === 'Group' && subject.name === own.name);
  if (own.kind === 'User' && own.name === serviceAccountUserName(subject)) return true;
  if (own.kind !== subject.kind || own.name !== subject.name) return false;
  return own.kind !== 'ServiceAccount' || own.namespace === subject.namespace;
};

/** The grants that let a subject (directly or through its groups) make a request. */
export const explainAccess = (grants: readonly Grant[], subject: Subject, request: AccessRequest): Grant[] =>
  grants.filter((grant) => holds(grant, subject) && inScope(grant, request) && ruleAllows(grant.rule, request));

/** Who can make a request: every subject named in a binding (and its groups), with the grants that allow it. */
export const whoCan = (grants: readonly Grant[], request: AccessRequest): { subject: Subject; grants: Grant[] }[] => {
  const bySubject = new Map<string, { subject: Subject; grants: Grant[] }>();
  for (const grant of grants) {
    if (!inScope(grant, request) || !ruleAllows(grant.rule, request)) continue;
    const key = subjectId(grant.subject);
    const entry = bySubject.get(key) ?? { subject: grant.subject, grants: [] };
    entry.grants.push(grant);
    bySubject.set(key, entry);
  }
  return [...bySubject.values()].sort((a, b) => subjectId(a.subject).localeCompare(subjectId(b.subject)));
};

/** Every grant a subject holds, directly or through its groups. */
export const grantsOf = (grants: readonly Grant[], subject: Subject): Grant[] => grants.filter((grant) => holds(grant, subject));
