import type { PolicyRule } from '../../model/index.js';

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  resourceNames: [],
  nonResourceURLs: [],
});

const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ = ['get', 'list', 'watch'];

/**
 * The user-facing ClusterRoles every cluster has (Kubernetes bootstrap policy), reduced to the
 * rules that matter for security checks, so a binding to `edit` is judged without the role in the input.
 */
export const BUILT_IN_CLUSTER_ROLES: Readonly<Record<string, readonly PolicyRule[]>> = {
  'cluster-admin': [rule(['*'], ['*'], ['*'])],
  admin: [
    rule([...READ, ...WRITE], [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'configmaps', 'services', 'serviceaccounts', 'persistentvolumeclaims']),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule([...READ, ...WRITE], ['apps'], ['deployments', 'daemonsets', 'replicasets', 'statefulsets']),
    rule([...READ, ...WRITE], ['batch'], ['jobs', 'cronjobs']),
    rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
    rule([...READ, ...WRITE], ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  ],
  edit: [
    rule([...READ, ...WRITE], [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'configmaps', 'services', 'serviceaccounts', 'persistentvolumeclaims']),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule([...READ, ...WRITE], ['apps'], ['deployments', 'daemonsets', 'replicasets', 'statefulsets']),
    rule([...READ, ...WRITE], ['batch'], ['jobs', 'cronjobs']),
    rule([...READ, ...WRITE], ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  ],
  view: [
    rule(READ, [''], ['pods', 'configmaps', 'services', 'serviceaccounts', 'persistentvolumeclaims', 'endpoints']),
    rule(READ, ['apps'], ['deployments', 'daemonsets', 'replicasets', 'statefulsets']),
    rule(READ, ['batch'], ['jobs', 'cronjobs']),
  ],
};

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
  const verbOk = query.verbs.some((verb) =>
    verb === '*' ? candidate.verbs.includes('*') : candidate.verbs.includes('*') || candidate.verbs.includes(verb),
  );
  if (!verbOk) return false;
  const groupOk =
    query.group === undefined || candidate.apiGroups.includes('*') || candidate.apiGroups.includes(query.group);
  if (!groupOk) return false;
  return query.resources.some((resource) => candidate.resources.some((granted) => grantsResource(granted, resource)));
};

/** APIs removed from Kubernetes: group/version (and kinds, when only some moved) → the release that removed them. */
export const REMOVED_APIS: readonly { apiVersion: string; kinds?: readonly string[]; removedIn: string; replacement: string }[] = [
  { apiVersion: 'extensions/v1beta1', kinds: ['Deployment', 'DaemonSet', 'ReplicaSet', 'NetworkPolicy', 'PodSecurityPolicy'], removedIn: '1.16', replacement: 'apps/v1, networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'apps/v1beta1', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1alpha1', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], removedIn: '1.22', replacement: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', removedIn: '1.22', replacement: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', removedIn: '1.22', replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', removedIn: '1.22', replacement: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', removedIn: '1.22', replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', removedIn: '1.22', replacement: 'scheduling.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], removedIn: '1.22', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], removedIn: '1.27', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'policy/v1beta1', removedIn: '1.25', replacement: 'policy/v1 (PodSecurityPolicy: Pod Security Admission)' },
  { apiVersion: 'batch/v1beta1', removedIn: '1.25', replacement: 'batch/v1' },
  { apiVersion: 'autoscaling/v2beta1', removedIn: '1.25', replacement: 'autoscaling/v2' },
  { apiVersion: 'autoscaling/v2beta2', removedIn: '1.26', replacement: 'autoscaling/v2' },
  { apiVersion: 'discovery.k8s.io/v1beta1', removedIn: '1.25', replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', removedIn: '1.25', replacement: 'events.k8s.io/v1' },
  { apiVersion: 'node.k8s.io/v1beta1', removedIn: '1.25', replacement: 'node.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', removedIn: '1.26', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', removedIn: '1.29', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', removedIn: '1.32', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
];
