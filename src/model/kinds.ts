/**
 * The kinds the model knows, once: their API group and version, resource name, scope, and for
 * workloads where the pod template sits and whether replicas scale it. The lists used elsewhere
 * (workload kinds, what the sensor watches, what a report counts as known) derive from it.
 */
export interface KindInfo {
  readonly kind: string;
  /** The version the sensor lists (`v1`, `apps/v1`); absent for kinds Kubernetes does not serve. */
  readonly apiVersion?: string;
  readonly plural?: string;
  readonly namespaced: boolean;
  readonly workload?: {
    /** Path to the pod template in the manifest (`[]` for a Pod itself). */
    readonly podTemplate: readonly string[];
    /** Whether `spec.replicas` counts its pods. */
    readonly replicated: boolean;
  };
}

const TEMPLATE = ['spec', 'template'] as const;

export const KINDS = [
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true, workload: { podTemplate: [], replicated: false } },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true, workload: { podTemplate: TEMPLATE, replicated: true } },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true, workload: { podTemplate: TEMPLATE, replicated: true } },
  {
    kind: 'ReplicationController',
    apiVersion: 'v1',
    plural: 'replicationcontrollers',
    namespaced: true,
    workload: { podTemplate: TEMPLATE, replicated: true },
  },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true, workload: { podTemplate: TEMPLATE, replicated: true } },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', plural: 'daemonsets', namespaced: true, workload: { podTemplate: TEMPLATE, replicated: false } },
  { kind: 'Job', apiVersion: 'batch/v1', plural: 'jobs', namespaced: true, workload: { podTemplate: TEMPLATE, replicated: false } },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    plural: 'cronjobs',
    namespaced: true,
    workload: { podTemplate: ['spec', 'jobTemplate', 'spec', 'template'], replicated: false },
  },
  // OpenShift's: read from manifests, not watched.
  { kind: 'DeploymentConfig', namespaced: true, workload: { podTemplate: TEMPLATE, replicated: true } },
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Node', apiVersion: 'v1', plural: 'nodes', namespaced: false },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', plural: 'horizontalpodautoscalers', namespaced: true },
] as const satisfies readonly KindInfo[];

export type KnownKind = (typeof KINDS)[number]['kind'];

const KIND_INFO: ReadonlyMap<string, KindInfo> = new Map(KINDS.map((info) => [info.kind, info]));

export const kindInfo = (kind: string): KindInfo | undefined => KIND_INFO.get(kind);

/** Kinds the model normalises into its own types; anything else is kept generic and counted as unknown in reports. */
export const KNOWN_KINDS: ReadonlySet<string> = new Set(KINDS.filter((info) => info.kind !== 'Node').map((info) => info.kind));
