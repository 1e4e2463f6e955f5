import { CniIsolation, type CniSelecting } from '../network/index.js';
import {
  mapSelectorMatches,
  selectorMatches,
  type ClusterSnapshot,
  type HorizontalPodAutoscaler,
  type ImageName,
  type ImageScan,
  type Ingress,
  type NetworkPolicy,
  type ObjectMeta,
  type PodDisruptionBudget,
  type Role,
  type RoleBinding,
  type Service,
  type ServiceAccount,
  type Workload,
} from '../model/index.js';

export type ExposureMethod = 'EXTERNAL' | 'NODE' | 'HOST' | 'ROUTE' | 'INTERNAL';

export interface Exposure {
  readonly method: ExposureMethod;
  /** What exposes the workload, e.g. `Service web (LoadBalancer, port 443)`. */
  readonly via: string;
  readonly port?: number;
  readonly nodePort?: number;
}

const group = <T extends { readonly namespace?: string }>(items: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = item.namespace ?? '';
    const bucket = out.get(key);
    if (bucket) bucket.push(item);
    else out.set(key, [item]);
  }
  return out;
};

const memo = <K extends object, V>(compute: (key: K) => V): ((key: K) => V) => {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      value = compute(key);
      cache.set(key, value);
    }
    return value as V;
  };
};

/**
 * Lookups over a snapshot for cross-object criteria (Services selecting a workload, policies
 * isolating it, ...). Built once per evaluation; per-object answers are memoised.
 */
export class SnapshotIndex {
  readonly snapshot: ClusterSnapshot;
  readonly #workloads: Map<string, Workload[]>;
  readonly #services: Map<string, Service[]>;
  readonly #ingresses: Map<string, Ingress[]>;
  readonly #networkPolicies: Map<string, NetworkPolicy[]>;
  readonly #serviceAccounts: Map<string, ServiceAccount>;
  readonly #autoscalers: Map<string, HorizontalPodAutoscaler[]>;
  readonly #budgets: Map<string, PodDisruptionBudget[]>;
  readonly #roles: Map<string, Role>;
  readonly #bindingsByRole: Map<string, RoleBinding[]>;
  readonly #cni: CniIsolation;
  readonly #controllers: Set<string>;
  readonly #namespacesInUse: Set<string>;

  /** Checks objects against their Kubernetes schemas, when the caller loaded them (only schema policies need it). */
  readonly validateSchema: ((object: ObjectMeta) => readonly { readonly path: string; readonly message: string }[]) | undefined;

  /** The scan of a container's image, when the caller has one (image fields read it). */
  readonly imageScan: (image: ImageName) => ImageScan | undefined;
  /** The instant image ages are judged against (engines read no clock). */
  readonly now: Date;

  constructor(
    snapshot: ClusterSnapshot,
    validateSchema?: (object: ObjectMeta) => readonly { readonly path: string; readonly message: string }[],
    images?: { readonly scanOf: (image: ImageName) => ImageScan | undefined; readonly now: Date },
  ) {
    this.snapshot = snapshot;
    this.validateSchema = validateSchema;
    this.imageScan = images?.scanOf ?? (() => undefined);
    this.now = images?.now ?? new Date(0);
    this.#workloads = group(snapshot.workloads);
    this.#services = group(snapshot.services);
    this.#ingresses = group(snapshot.ingresses);
    this.#networkPolicies = group(snapshot.networkPolicies);
    this.#autoscalers = group(snapshot.horizontalPodAutoscalers);
    this.#cni = new CniIsolation(snapshot);
    this.#budgets = group(snapshot.podDisruptionBudgets);
    this.#serviceAccounts = new Map();
    // The first declaration wins, as a linear search over the snapshot would find it.
    for (const account of snapshot.serviceAccounts)
      if (!this.#serviceAccounts.has(`${account.namespace}/${account.name}`)) this.#serviceAccounts.set(`${account.namespace}/${account.name}`, account);
    this.#roles = new Map(snapshot.roles.map((role) => [`${role.kind}/${role.namespace ?? ''}/${role.name}`, role]));
    this.#bindingsByRole = new Map();
    for (const binding of snapshot.roleBindings) {
      // A RoleBinding's Role lives in the binding's namespace; a ClusterRole is cluster-wide whoever binds it.
      const key = `${binding.roleRef.kind}/${binding.roleRef.kind === 'Role' ? (binding.namespace ?? '') : ''}/${binding.roleRef.name}`;
      const list = this.#bindingsByRole.get(key);
      if (list) list.push(binding);
      else this.#bindingsByRole.set(key, [binding]);
    }
    this.#controllers = new Set(snapshot.workloads.map((workload) => `${workload.namespace}/${workload.kind}/${workload.name}`));
    this.#namespacesInUse = new Set();
    for (const list of [snapshot.workloads, snapshot.services, snapshot.networkPolicies, snapshot.serviceAccounts]) {
      for (const object of list) if (object.namespace !== undefined) this.#namespacesInUse.add(object.namespace);
    }
    for (const namespace of snapshot.namespaces) this.#namespacesInUse.add(namespace.name);
  }

  workloadsIn(namespace: string | undefined): readonly Workload[] {
    return this.#workloads.get(namespace ?? '') ?? [];
  }

  servicesIn(namespace: string | undefined): readonly Service[] {
    return this.#services.get(namespace ?? '') ?? [];
  }

  networkPoliciesIn(namespace: string | undefined): readonly NetworkPolicy[] {
    return this.#networkPolicies.get(namespace ?? '') ?? [];
  }

  /** Every namespace the input declares or puts objects in. */
  namespaces(): readonly string[] {
    return [...this.#namespacesInUse].sort();
  }

  hasServiceAccount(namespace: string | undefined, name: string): boolean {
    return this.#serviceAccounts.has(`${namespace}/${name}`);
  }

  serviceAccount(namespace: string | undefined, name: string): ServiceAccount | undefined {
    return this.#serviceAccounts.get(`${namespace}/${name}`);
  }

  role(kind: 'Role' | 'ClusterRole', namespace: string | undefined, name: string): Role | undefined {
    return this.#roles.get(`${kind}/${kind === 'Role' ? (namespace ?? '') : ''}/${name}`);
  }

  /** The RoleBindings and ClusterRoleBindings that grant this role: what a reviewer removes to take its power away. */
  bindingsOf(role: Role): readonly RoleBinding[] {
    return this.#bindingsByRole.get(`${role.kind}/${role.kind === 'Role' ? (role.namespace ?? '') : ''}/${role.name}`) ?? [];
  }

  /**
   * True when this workload is managed by a controller that is itself in the snapshot (a Pod of a
   * ReplicaSet of a Deployment in a `kubectl get all` dump): policies judge the owner only.
   */
  readonly isManagedByListedController = memo(
    (workload: Workload): boolean =>
      workload.controller !== undefined && this.#controllers.has(`${workload.namespace}/${workload.controller.kind}/${workload.controller.name}`),
  );

  /** HorizontalPodAutoscalers whose scaleTargetRef names this workload. */
  readonly autoscalersOf = memo((workload: Workload): HorizontalPodAutoscaler[] =>
    (this.#autoscalers.get(workload.namespace ?? '') ?? []).filter(
      (hpa) => hpa.scaleTargetRef.kind === workload.kind && hpa.scaleTargetRef.name === workload.name,
    ),
  );

  /**
   * The fewest replicas a replicated workload runs: its autoscaler's minReplicas when one scales
   * it (the autoscaler then owns spec.replicas), else spec.replicas. `undefined` for kinds
   * without replicas (Pods, DaemonSets, Jobs, CronJobs).
   */
  readonly minimumReplicas = memo((workload: Workload): { readonly count: number; readonly autoscaler?: HorizontalPodAutoscaler } | undefined => {
    if (workload.replicas === undefined) return undefined;
    const autoscaler = this.autoscalersOf(workload).reduce<HorizontalPodAutoscaler | undefined>(
      (lowest, hpa) => (lowest === undefined || hpa.minReplicas < lowest.minReplicas ? hpa : lowest),
      undefined,
    );
    return autoscaler ? { count: autoscaler.minReplicas, autoscaler } : { count: workload.replicas };
  });

  /** PodDisruptionBudgets in the workload's namespace whose selector selects its pods. */
  readonly budgetsCovering = memo((workload: Workload): PodDisruptionBudget[] =>
    (this.#budgets.get(workload.namespace ?? '') ?? []).filter(
      (budget) => budget.selector !== undefined && selectorMatches(budget.selector, workload.podLabels),
    ),
  );

  readonly servicesSelecting = memo((workload: Workload): Service[] =>
    this.servicesIn(workload.namespace).filter((service) => service.selector !== undefined && mapSelectorMatches(service.selector, workload.podLabels)),
  );

  readonly workloadsSelectedBy = memo((service: Service): Workload[] =>
    service.selector === undefined
      ? []
      : this.workloadsIn(service.namespace).filter((workload) => mapSelectorMatches(service.selector as Record<string, string>, workload.podLabels)),
  );

  readonly ingressesRouting = memo((service: Service): Ingress[] =>
    (this.#ingresses.get(service.namespace ?? '') ?? []).filter((ingress) => ingress.backends.some((backend) => backend.serviceName === service.name)),
  );

  /** Cilium and Calico policies that put the workload into default deny. */
  readonly cniPoliciesSelecting = memo((workload: Workload): CniSelecting[] => this.#cni.selecting(workload));

  /** Cilium and Calico policies that may isolate pods of a namespace: its namespaced ones, and cluster-wide ones selecting a workload there. */
  cniPoliciesIn(namespace: string): string[] {
    const ids = new Set<string>();
    for (const policy of this.#cni.policies) if (!policy.cni.clusterWide && policy.namespace === namespace) ids.add(`${policy.kind} ${policy.name}`);
    for (const workload of this.workloadsIn(namespace))
      for (const entry of this.cniPoliciesSelecting(workload)) if (entry.policy.cni.clusterWide) ids.add(`${entry.policy.kind} ${entry.policy.name}`);
    return [...ids];
  }

  readonly networkPoliciesSelecting = memo((workload: Workload): NetworkPolicy[] =>
    this.networkPoliciesIn(workload.namespace).filter((policy) => selectorMatches(policy.podSelector, workload.podLabels)),
  );

  /** How the workload is reachable: Services (by type), Ingresses and OpenShift Routes in front of them, host ports. */
  readonly exposures = memo((workload: Workload): Exposure[] => {
    const out: Exposure[] = [];
    for (const service of this.servicesSelecting(workload)) {
      for (const port of service.ports) {
        const base = { port: port.port, ...(port.nodePort === undefined ? {} : { nodePort: port.nodePort }) };
        const via = `Service ${service.name} (${service.type}, port ${port.port})`;
        if (service.type === 'LoadBalancer' || service.externalIPs.length > 0) out.push({ method: 'EXTERNAL', via, ...base });
        if (service.type === 'NodePort' || service.type === 'LoadBalancer') out.push({ method: 'NODE', via, ...base });
        if (service.type === 'ClusterIP') out.push({ method: 'INTERNAL', via, ...base });
      }
      for (const ingress of this.ingressesRouting(service)) {
        out.push({ method: 'ROUTE', via: `Ingress ${ingress.name} → Service ${service.name}` });
      }
      for (const route of this.snapshot.others) {
        if (!route.route || route.namespace !== service.namespace) continue;
        if (route.route.services.includes(service.name)) out.push({ method: 'ROUTE', via: `Route ${route.name} → Service ${service.name}` });
      }
    }
    for (const container of workload.pod.containers) {
      for (const port of container.ports) {
        if (port.hostPort !== undefined && port.hostPort > 0) {
          out.push({ method: 'HOST', via: `container ${container.name} hostPort ${port.hostPort}`, port: port.hostPort, nodePort: port.hostPort });
        }
      }
    }
    if (workload.pod.hostNetwork) out.push({ method: 'HOST', via: 'hostNetwork' });
    return out;
  });
}
