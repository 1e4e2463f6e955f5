/** A resource the sensor lists and watches. */
export interface WatchedResource {
  readonly kind: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Read as PartialObjectMetadata: names, labels and annotations only, never the values. */
  readonly metadataOnly?: boolean;
  /** A resource some clusters lack (the API group may not be served): a 404 is noted, not fatal. */
  readonly optional?: boolean;
}

/** Everything the model reads: workloads, exposure, network policy, identities, RBAC, nodes, Secret metadata. */
export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Node', apiVersion: 'v1', plural: 'nodes', namespaced: false },
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true },
  { kind: 'ReplicationController', apiVersion: 'v1', plural: 'replicationcontrollers', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true, metadataOnly: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', plural: 'daemonsets', namespaced: true },
  { kind: 'Job', apiVersion: 'batch/v1', plural: 'jobs', namespaced: true },
  { kind: 'CronJob', apiVersion: 'batch/v1', plural: 'cronjobs', namespaced: true },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
];

/** The collection path: `/api/v1/pods`, `/apis/apps/v1/deployments` (all namespaces). */
export const collectionPath = (resource: WatchedResource): string => `${resource.apiVersion.includes('/') ? '/apis' : '/api'}/${resource.apiVersion}/${resource.plural}`;

/** How an object is keyed in the store: `namespace/name`, or `name` for cluster-scoped ones. */
export const objectKey = (object: { readonly metadata?: { readonly namespace?: string; readonly name?: string } }): string =>
  object.metadata?.namespace ? `${object.metadata.namespace}/${object.metadata.name ?? ''}` : (object.metadata?.name ?? '');
