/** Where an object (or one of its fields) was read from. Lines and columns are 1-based. */
export interface SourceLocation {
  /** The file as reported: a path relative to the scan root, a Helm template from `# Source:`, or `<stdin>`. */
  readonly file: string;
  /** 0-based index of the YAML document within the file (List items share their List's index). */
  readonly documentIndex: number;
  readonly line: number;
  readonly column: number;
  /**
   * Set when `file` names something other than the file actually read, such as a Helm template
   * (`# Source:`) or a Kustomize directory: where the object really sits in the rendered text.
   */
  readonly rendered?: { readonly file: string; readonly line: number };
}

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A metav1.LabelSelector. An empty selector matches everything; an absent one is `undefined` at the use site. */
export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** Identifies an object the way Kubernetes does: group/version, kind, namespace, name (and UID when known). */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped kinds; for namespaced kinds without `metadata.namespace`, the namespace is `default`. */
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/** Fields every Kubernetes object in the model carries. */
export interface ObjectMeta extends ObjectRef {
  readonly labels: Labels;
  readonly annotations: Labels;
  /** True when the manifest did not set `metadata.namespace` (the object lands in the current context's namespace). */
  readonly namespaceImplicit: boolean;
  readonly source: SourceLocation;
  /**
   * The object as written (after Secret values were dropped). Kept for CEL conditions and for
   * kinds the model does not normalise. Never holds Secret `data`/`stringData` values.
   */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface ServicePort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number or the name of a container port. Defaults to `port`. */
  readonly targetPort: number | string;
  readonly nodePort?: number;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Service extends ObjectMeta {
  readonly kind: 'Service';
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `undefined` when the Service has no selector (endpoints managed by hand). */
  readonly selector: Labels | undefined;
  readonly ports: readonly ServicePort[];
  readonly clusterIP?: string;
  readonly externalName?: string;
  readonly externalIPs: readonly string[];
}

export interface IngressBackendRef {
  readonly serviceName: string;
  readonly port?: number | string;
  /** JSON path of the backend within the object, for findings. */
  readonly path: string;
}

export interface Ingress extends ObjectMeta {
  readonly kind: 'Ingress';
  readonly ingressClassName?: string;
  readonly backends: readonly IngressBackendRef[];
  readonly hosts: readonly string[];
  readonly tlsHosts: readonly string[];
}

export interface NetworkPolicyPort {
  readonly protocol: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except: readonly string[] };
}

export interface NetworkPolicyRule {
  /** `undefined` means "all peers" (the field was absent or empty). */
  readonly peers: readonly NetworkPolicyPeer[] | undefined;
  /** `undefined` means "all ports". */
  readonly ports: readonly NetworkPolicyPort[] | undefined;
}

export interface NetworkPolicy extends ObjectMeta {
  readonly kind: 'NetworkPolicy';
  readonly podSelector: LabelSelector;
  /** After inference: Ingress always unless only egress is listed, Egress when listed or an `egress` section exists. */
  readonly policyTypes: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly NetworkPolicyRule[];
  readonly egress: readonly NetworkPolicyRule[];
}

export interface ServiceAccount extends ObjectMeta {
  readonly kind: 'ServiceAccount';
  readonly automountServiceAccountToken?: boolean;
  readonly secrets: readonly string[];
  readonly imagePullSecrets: readonly string[];
}

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface Role extends ObjectMeta {
  readonly kind: 'Role' | 'ClusterRole';
  readonly rules: readonly PolicyRule[];
  /** ClusterRole aggregation: selectors of ClusterRoles whose rules this one gathers. */
  readonly aggregationSelectors: readonly LabelSelector[];
}

export interface Subject {
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  readonly name: string;
  readonly namespace?: string;
}

export interface RoleBinding extends ObjectMeta {
  readonly kind: 'RoleBinding' | 'ClusterRoleBinding';
  readonly roleRef: { readonly kind: 'Role' | 'ClusterRole'; readonly name: string };
  readonly subjects: readonly Subject[];
  /** Subjects of a kind RBAC does not know (the API server rejects the binding), as written. */
  readonly invalidSubjects?: readonly { readonly kind: string; readonly name: string }[];
}

/** Secret metadata only: the model never holds a Secret's values, only which keys it has. */
export interface SecretMeta extends ObjectMeta {
  readonly kind: 'Secret';
  readonly type: string;
  readonly keys: readonly string[];
}

export interface ConfigMap extends ObjectMeta {
  readonly kind: 'ConfigMap';
  readonly keys: readonly string[];
}

export interface Namespace extends ObjectMeta {
  readonly kind: 'Namespace';
}

export interface PodDisruptionBudget extends ObjectMeta {
  readonly kind: 'PodDisruptionBudget';
  readonly selector: LabelSelector | undefined;
  readonly minAvailable?: number | string;
  readonly maxUnavailable?: number | string;
  readonly unhealthyPodEvictionPolicy?: string;
}

export interface HorizontalPodAutoscaler extends ObjectMeta {
  readonly kind: 'HorizontalPodAutoscaler';
  readonly scaleTargetRef: { readonly apiVersion?: string; readonly kind: string; readonly name: string };
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** A Calico selector expression, parsed: `app == 'web' && has(tier)`, `all()`, `role in {'a', 'b'}`. */
export type CalicoSelector =
  | { readonly op: 'all' }
  | { readonly op: 'has' | 'missing'; readonly key: string }
  | { readonly op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'not in'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'not'; readonly operand: CalicoSelector }
  | { readonly op: 'and' | 'or'; readonly operands: readonly CalicoSelector[] };

/** Which pods (or namespaces) a CNI policy selects, in that CNI's own selector language. */
export type CniSelection =
  { readonly dialect: 'label-selector'; readonly selector: LabelSelector } | { readonly dialect: 'calico'; readonly selector: CalicoSelector };

/**
 * One rule of a CNI's own policy (a Cilium `spec`/`specs[i]`, a Calico policy) as far as
 * isolation goes: which pods it selects, and in which directions it puts them into default deny.
 */
export interface CniIsolationRule {
  /** Where the rule is in the object (`spec`, `specs[1]`). */
  readonly path: string;
  /** The pods it selects; `undefined` when it selects none (a host policy, a selector that could not be read). */
  readonly pods?: CniSelection;
  /** Calico GlobalNetworkPolicy `namespaceSelector`, over namespace labels. */
  readonly namespaces?: CniSelection;
  readonly ingress: boolean;
  readonly egress: boolean;
}

/** Cilium's and Calico's network policies, read for the isolation they give. */
export interface CniNetworkPolicy {
  readonly provider: 'Cilium' | 'Calico';
  /** Cluster-wide kinds (CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy) select pods of every namespace. */
  readonly clusterWide: boolean;
  readonly rules: readonly CniIsolationRule[];
  /** What could not be read, by path. */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

/** Any other kind (CRDs included): kept with its metadata and raw body. */
export interface OtherObject extends ObjectMeta {
  readonly kind: string;
  /** For Cilium and Calico network policies: what they isolate. */
  readonly cni?: CniNetworkPolicy;
  /** For an OpenShift Route (route.openshift.io): the Services it sends outside traffic to. */
  readonly route?: OpenShiftRoute;
}

/** An OpenShift Route: like an Ingress, it exposes Services outside the cluster. */
export interface OpenShiftRoute {
  readonly host?: string;
  /** `spec.to` and every `spec.alternateBackends` entry of kind Service. */
  readonly services: readonly string[];
  readonly tls: boolean;
}
