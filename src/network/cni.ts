import { cniSelectionMatches, type ClusterSnapshot, type CniNetworkPolicy, type Labels, type OtherObject, type Workload } from '../model/index.js';

/** A Cilium or Calico policy that puts a workload into default deny, and in which directions. */
export interface CniSelecting {
  readonly policy: OtherObject & { readonly cni: CniNetworkPolicy };
  /** `CiliumNetworkPolicy shop/api`, `GlobalNetworkPolicy default-deny`. */
  readonly id: string;
  readonly ingress: boolean;
  readonly egress: boolean;
}

export const cniPolicyId = (policy: OtherObject): string => `${policy.kind} ${policy.namespace === undefined ? '' : `${policy.namespace}/`}${policy.name}`;

const prefixed = (labels: Labels, prefix: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const key in labels) out[`${prefix}${key}`] = labels[key] as string;
  return out;
};

/**
 * The isolation Cilium and Calico policies give each workload. Each CNI sees a pod through
 * labels of its own: Cilium adds `io.kubernetes.pod.namespace`, the service account and the
 * namespace's labels (`io.cilium.k8s.namespace.labels.*`); Calico adds
 * `projectcalico.org/namespace`, `projectcalico.org/serviceaccount` and the namespace's labels
 * as `pcns.*`. Namespaced kinds select pods of their own namespace only.
 */
export class CniIsolation {
  readonly #policies: readonly (OtherObject & { readonly cni: CniNetworkPolicy })[];
  readonly #namespaceLabels: Map<string, Labels>;

  constructor(snapshot: ClusterSnapshot) {
    this.#policies = snapshot.others.filter((object): object is OtherObject & { cni: CniNetworkPolicy } => object.cni !== undefined);
    this.#namespaceLabels = new Map(snapshot.namespaces.map((namespace) => [namespace.name, namespace.labels]));
  }

  get policies(): readonly (OtherObject & { readonly cni: CniNetworkPolicy })[] {
    return this.#policies;
  }

  #namespaceView(namespace: string): Labels {
    return { ...this.#namespaceLabels.get(namespace), 'kubernetes.io/metadata.name': namespace };
  }

  /** The CNI policies that select the workload's pods for ingress or egress isolation. */
  selecting(workload: Workload): CniSelecting[] {
    if (this.#policies.length === 0) return [];
    const namespace = workload.namespace ?? 'default';
    const serviceAccount = workload.pod.serviceAccountName;
    const namespaceLabels = this.#namespaceView(namespace);
    let cilium: Labels | undefined;
    let calico: Labels | undefined;
    const out: CniSelecting[] = [];
    for (const policy of this.#policies) {
      if (!policy.cni.clusterWide && policy.namespace !== namespace) continue;
      let ingress = false;
      let egress = false;
      for (const rule of policy.cni.rules) {
        if (!rule.pods || (!rule.ingress && !rule.egress)) continue;
        // Nothing this rule could add: every direction it isolates is already isolated.
        if ((!rule.ingress || ingress) && (!rule.egress || egress)) continue;
        let labels: Labels;
        if (policy.cni.provider === 'Cilium') {
          labels = cilium ??= {
            ...prefixed(namespaceLabels, 'io.cilium.k8s.namespace.labels.'),
            ...workload.podLabels,
            'io.kubernetes.pod.namespace': namespace,
            'io.cilium.k8s.policy.serviceaccount': serviceAccount,
            'io.cilium.k8s.policy.cluster': 'default',
          };
        } else {
          labels = calico ??= {
            ...prefixed(namespaceLabels, 'pcns.'),
            ...workload.podLabels,
            'projectcalico.org/namespace': namespace,
            'projectcalico.org/orchestrator': 'k8s',
            'projectcalico.org/serviceaccount': serviceAccount,
          };
          if (rule.namespaces && !cniSelectionMatches(rule.namespaces, { ...namespaceLabels, 'projectcalico.org/name': namespace })) continue;
        }
        if (!cniSelectionMatches(rule.pods, labels)) continue;
        ingress ||= rule.ingress;
        egress ||= rule.egress;
      }
      if (ingress || egress) out.push({ policy, id: cniPolicyId(policy), ingress, egress });
    }
    return out;
  }
}
