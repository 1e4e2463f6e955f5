import type {
  ConfigMap,
  HorizontalPodAutoscaler,
  Ingress,
  Namespace,
  NetworkPolicy,
  OtherObject,
  PodDisruptionBudget,
  Role,
  RoleBinding,
  SecretMeta,
  Service,
  ServiceAccount,
} from './objects.js';
import type { Workload } from './workload.js';

export type KubeObject =
  | Workload
  | Service
  | Ingress
  | NetworkPolicy
  | ServiceAccount
  | Role
  | RoleBinding
  | SecretMeta
  | ConfigMap
  | Namespace
  | PodDisruptionBudget
  | HorizontalPodAutoscaler
  | OtherObject;

/**
 * Everything known about one cluster (or one set of manifests), whatever the source:
 * manifest files, a `kubectl get -o yaml` dump or the live API. Engines read only this.
 */
export interface ClusterSnapshot {
  readonly workloads: readonly Workload[];
  readonly services: readonly Service[];
  readonly ingresses: readonly Ingress[];
  readonly networkPolicies: readonly NetworkPolicy[];
  readonly serviceAccounts: readonly ServiceAccount[];
  readonly roles: readonly Role[];
  readonly roleBindings: readonly RoleBinding[];
  readonly secrets: readonly SecretMeta[];
  readonly configMaps: readonly ConfigMap[];
  readonly namespaces: readonly Namespace[];
  readonly podDisruptionBudgets: readonly PodDisruptionBudget[];
  readonly horizontalPodAutoscalers: readonly HorizontalPodAutoscaler[];
  /** Kinds the model does not normalise (CRDs, PersistentVolumes, ...), kept with metadata and raw body. */
  readonly others: readonly OtherObject[];
}
