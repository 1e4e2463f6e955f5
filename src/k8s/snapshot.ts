import type {
  ClusterSnapshot,
  ConfigMap,
  HorizontalPodAutoscaler,
  Ingress,
  KubeObject,
  Namespace,
  NetworkPolicy,
  OtherObject,
  PodDisruptionBudget,
  Role,
  RoleBinding,
  SecretMeta,
  Service,
  ServiceAccount,
  Workload,
} from '../model/index.js';
import { WORKLOAD_KINDS } from '../model/index.js';

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/** Files model objects into the snapshot's typed lists. */
export const buildSnapshot = (objects: Iterable<KubeObject>): ClusterSnapshot => {
  const snapshot = {
    workloads: [] as Workload[],
    services: [] as Service[],
    ingresses: [] as Ingress[],
    networkPolicies: [] as NetworkPolicy[],
    serviceAccounts: [] as ServiceAccount[],
    roles: [] as Role[],
    roleBindings: [] as RoleBinding[],
    secrets: [] as SecretMeta[],
    configMaps: [] as ConfigMap[],
    namespaces: [] as Namespace[],
    podDisruptionBudgets: [] as PodDisruptionBudget[],
    horizontalPodAutoscalers: [] as HorizontalPodAutoscaler[],
    others: [] as OtherObject[],
  };
  for (const object of objects) {
    if (WORKLOAD_KIND_SET.has(object.kind)) {
      snapshot.workloads.push(object as Workload);
      continue;
    }
    switch (object.kind) {
      case 'Service':
        snapshot.services.push(object as Service);
        break;
      case 'Ingress':
        snapshot.ingresses.push(object as Ingress);
        break;
      case 'NetworkPolicy':
        // Calico's namespaced policy shares the kind; it is read as a CNI policy.
        if ((object as OtherObject).cni) snapshot.others.push(object);
        else snapshot.networkPolicies.push(object as NetworkPolicy);
        break;
      case 'ServiceAccount':
        snapshot.serviceAccounts.push(object as ServiceAccount);
        break;
      case 'Role':
      case 'ClusterRole':
        snapshot.roles.push(object as Role);
        break;
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        snapshot.roleBindings.push(object as RoleBinding);
        break;
      case 'Secret':
        snapshot.secrets.push(object as SecretMeta);
        break;
      case 'ConfigMap':
        snapshot.configMaps.push(object as ConfigMap);
        break;
      case 'Namespace':
        snapshot.namespaces.push(object as Namespace);
        break;
      case 'PodDisruptionBudget':
        snapshot.podDisruptionBudgets.push(object as PodDisruptionBudget);
        break;
      case 'HorizontalPodAutoscaler':
        snapshot.horizontalPodAutoscalers.push(object as HorizontalPodAutoscaler);
        break;
      default:
        snapshot.others.push(object);
    }
  }
  return snapshot;
};

/** Every object of the snapshot, in a stable order (the order they were read). */
export const snapshotObjects = (snapshot: ClusterSnapshot): KubeObject[] => [
  ...snapshot.workloads,
  ...snapshot.services,
  ...snapshot.ingresses,
  ...snapshot.networkPolicies,
  ...snapshot.serviceAccounts,
  ...snapshot.roles,
  ...snapshot.roleBindings,
  ...snapshot.secrets,
  ...snapshot.configMaps,
  ...snapshot.namespaces,
  ...snapshot.podDisruptionBudgets,
  ...snapshot.horizontalPodAutoscalers,
  ...snapshot.others,
];
