import { kindInfo, WORKLOAD_KINDS, type Labels, type Workload, type WorkloadKind } from '../model/index.js';

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/** Labels controllers stamp on each pod (or ReplicaSet) they create: not the workload's own. */
const CONTROLLER_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'job-name',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
  'deploymentconfig',
  'deployment',
]);

export interface GroupedWorkloads {
  /** Each workload once: controller-owned ones folded into their top controller. */
  readonly workloads: readonly Workload[];
  /** For every folded workload, the workload that stands for it now (`namespace/Kind/name` both). */
  readonly memberOf: ReadonlyMap<string, string>;
}

const idOf = (namespace: string | undefined, kind: string, name: string): string => `${namespace ?? 'default'}/${kind}/${name}`;

/** Labels every member carries with the same value, minus those controllers add per pod. */
const commonLabels = (members: readonly Workload[]): Labels => {
  const [first, ...rest] = members;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(first?.podLabels ?? {})) {
    if (CONTROLLER_LABELS.has(key)) continue;
    if (rest.every((member) => member.podLabels[key] === value)) out[key] = value;
  }
  return out;
};

/**
 * Folds controller-owned workloads into the controller that stands for them, as the network map,
 * its diff and risk ranking count workloads: pods of a ReplicaSet of a Deployment in a
 * `kubectl get all` dump are the Deployment; pods whose controllers the input does not hold are
 * grouped under the controller their ownerReferences name (a ReplicaSet named
 * `<deployment>-<pod-template-hash>` as its Deployment, which is how the Deployment controller
 * names them). Workloads nothing owns are kept as they are.
 */
export const groupByController = (workloads: readonly Workload[]): GroupedWorkloads => {
  const listed = new Map<string, Workload>();
  const byUid = new Map<string, Workload>();
  for (const workload of workloads) {
    listed.set(idOf(workload.namespace, workload.kind, workload.name), workload);
    if (workload.uid) byUid.set(workload.uid, workload);
  }
  /** The top controller of a workload: a listed workload, or a kind and name inferred from references. */
  const topOf = (workload: Workload): { readonly listed?: Workload; readonly kind: string; readonly name: string } => {
    let current: Workload = workload;
    for (let depth = 0; depth < 8; depth++) {
      const controller = current.controller;
      if (!controller || !WORKLOAD_KIND_SET.has(controller.kind)) break;
      const owner = (controller.uid ? byUid.get(controller.uid) : undefined) ?? listed.get(idOf(current.namespace, controller.kind, controller.name));
      if (owner) {
        current = owner;
        continue;
      }
      // Not in the input: a ReplicaSet named after its pods' template hash belongs to that Deployment.
      const hash = current.podLabels['pod-template-hash'];
      if (controller.kind === 'ReplicaSet' && hash && controller.name.endsWith(`-${hash}`)) {
        const deployment = controller.name.slice(0, -hash.length - 1);
        const listedDeployment = listed.get(idOf(current.namespace, 'Deployment', deployment));
        return listedDeployment ? { listed: listedDeployment, kind: 'Deployment', name: deployment } : { kind: 'Deployment', name: deployment };
      }
      return { kind: controller.kind, name: controller.name };
    }
    return { listed: current, kind: current.kind, name: current.name };
  };

  const memberOf = new Map<string, string>();
  const inferred = new Map<string, Workload[]>();
  const order: (Workload | string)[] = [];
  for (const workload of workloads) {
    const id = idOf(workload.namespace, workload.kind, workload.name);
    if (!workload.controller) {
      order.push(workload);
      continue;
    }
    const top = topOf(workload);
    if (top.listed === workload) {
      order.push(workload);
      continue;
    }
    const topId = idOf(workload.namespace, top.kind, top.name);
    memberOf.set(id, topId);
    if (top.listed) continue;
    const members = inferred.get(topId);
    if (members) members.push(workload);
    else {
      inferred.set(topId, [workload]);
      order.push(topId);
    }
  }
  const grouped = order.map((entry): Workload => {
    if (typeof entry !== 'string') return entry;
    const members = inferred.get(entry) as Workload[];
    const first = members[0] as Workload;
    const [, kind, name] = entry.split('/') as [string, WorkloadKind, string];
    const replicated = kindInfo(kind)?.workload?.replicated === true;
    const labels = commonLabels(members);
    // The member's own identity (uid, controller, replicas) is not the controller's.
    const rest: Record<string, unknown> = { ...first };
    delete rest.uid;
    delete rest.controller;
    delete rest.replicas;
    return {
      ...(rest as unknown as Workload),
      kind,
      name,
      podLabels: labels,
      ownedByController: false,
      // Pods counted as replicas; a ReplicaSet without its pods brings its own count.
      ...(replicated
        ? {
            replicas: members.reduce(
              (sum, member) => sum + (member.kind === 'Pod' ? 1 : members.some((other) => other.kind === 'Pod') ? 0 : (member.replicas ?? 1)),
              0,
            ),
          }
        : {}),
      inferredFrom: members.map((member) => `${member.kind} ${member.name}`),
    } as Workload;
  });
  return { workloads: grouped, memberOf };
};
