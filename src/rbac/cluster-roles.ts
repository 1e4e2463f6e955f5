import type { PolicyRule } from '../model/index.js';

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
    rule(
      [...READ, ...WRITE],
      [''],
      ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'configmaps', 'services', 'serviceaccounts', 'persistentvolumeclaims'],
    ),
    rule(['impersonate'], [''], ['serviceaccounts']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule([...READ, ...WRITE], ['apps'], ['deployments', 'daemonsets', 'replicasets', 'statefulsets']),
    rule([...READ, ...WRITE], ['batch'], ['jobs', 'cronjobs']),
    rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
    rule([...READ, ...WRITE], ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  ],
  edit: [
    rule(
      [...READ, ...WRITE],
      [''],
      ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'configmaps', 'services', 'serviceaccounts', 'persistentvolumeclaims'],
    ),
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
