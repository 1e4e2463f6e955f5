import type { PolicyRule } from '../model/index.js';

export interface PermissionQuery {
  readonly verbs: readonly string[];
  /** `undefined` means any API group. */
  readonly group: string | undefined;
  readonly resources: readonly string[];
}

/**
 * Parses `verb[|verb...] [group/]resource[|resource...]`: `get|list secrets`, `create pods/exec`,
 * `update rbac.authorization.k8s.io/clusterroles`, `* *`. `core/pods` names the core ("") group.
 */
export const parsePermission = (text: string): PermissionQuery | undefined => {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) return undefined;
  const [verbs, target] = parts as [string, string];
  let group: string | undefined;
  let resources = target;
  // `pods/exec` is a subresource, `apps/deployments` a group: a group holds a dot or is `core`/`apps`/`batch`/`policy`.
  const slash = target.indexOf('/');
  if (slash > 0) {
    const head = target.slice(0, slash);
    if (head.includes('.') || ['core', 'apps', 'batch', 'policy', 'autoscaling'].includes(head)) {
      group = head === 'core' ? '' : head;
      resources = target.slice(slash + 1);
    }
  }
  return { verbs: verbs.split('|'), group, resources: resources.split('|') };
};

const grantsResource = (granted: string, wanted: string): boolean => {
  if (wanted === '*') return granted === '*';
  if (granted === '*' || granted === wanted) return true;
  const [resource, subresource] = wanted.split('/');
  // `pods/*` grants every subresource of pods; `*/scale` grants scale of every resource.
  if (subresource !== undefined) return granted === `${resource}/*` || granted === `*/${subresource}`;
  return false;
};

/** Whether a rule grants the queried access, with wildcards read as the RBAC authorizer reads them. */
export const ruleGrants = (candidate: PolicyRule, query: PermissionQuery): boolean => {
  if (candidate.resources.length === 0) return false;
  const verbOk = query.verbs.some((verb) => (verb === '*' ? candidate.verbs.includes('*') : candidate.verbs.includes('*') || candidate.verbs.includes(verb)));
  if (!verbOk) return false;
  const groupOk = query.group === undefined || candidate.apiGroups.includes('*') || candidate.apiGroups.includes(query.group);
  if (!groupOk) return false;
  return query.resources.some((resource) => candidate.resources.some((granted) => grantsResource(granted, resource)));
};
