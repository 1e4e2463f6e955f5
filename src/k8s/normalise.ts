import {
  WORKLOAD_KINDS,
  type ConfigMap,
  type HorizontalPodAutoscaler,
  type InputProblem,
  type Ingress,
  type IngressBackendRef,
  type KubeObject,
  type Namespace,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyRule,
  type ObjectMeta,
  type OtherObject,
  type PodDisruptionBudget,
  type Protocol,
  type Role,
  type RoleBinding,
  type SecretMeta,
  type Service,
  type ServiceAccount,
  type SourceLocation,
  type Subject,
  type WorkloadKind,
} from '../model/index.js';
import { joinPath } from '../model/index.js';
import { readCniPolicy } from './cni.js';
import { labelSelector } from './selectors.js';
import { bool, defined, dict, dicts, int, intOrString, isDict, list, str, stringMap, strings, type Dict } from './values.js';
import { workload } from './workload.js';
import type { Position } from './locator.js';

/** Kinds that live outside namespaces; every other known kind gets a namespace (`default` when unset). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'APIService',
  'CertificateSigningRequest',
  'PodSecurityPolicy',
  'SecurityContextConstraints',
  'AdminNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'GlobalNetworkPolicy',
  'GlobalNetworkSet',
  'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
  'ClusterIssuer',
  'ClusterPolicy',
  'ComponentStatus',
]);

/** Built-in namespaced kinds, so a missing namespace means `default` for these and only these. */
const NAMESPACED = new Set<string>([
  ...WORKLOAD_KINDS,
  'Service',
  'Ingress',
  'NetworkPolicy',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'PersistentVolumeClaim',
  'Endpoints',
  'EndpointSlice',
  'LimitRange',
  'ResourceQuota',
  'Event',
  'Lease',
  'ControllerRevision',
  'PodTemplate',
  'Route',
  'ServiceMonitor',
  'PodMonitor',
]);

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

export interface DocumentContext {
  /** File as reported to users (relative path, `<stdin>`, a Kustomize directory). */
  readonly file: string;
  readonly documentIndex: number;
  /** Helm `# Source:` path and the 1-based line of that comment. */
  readonly helmSource?: { readonly path: string; readonly line: number };
  /** The namespace objects without `metadata.namespace` land in. */
  readonly defaultNamespace: string;
  /** Position of a path within the document (`''` for its root); 1:1 when unknown. */
  readonly position?: (path: string) => Position | undefined;
}

export interface NormalisedDocument {
  readonly objects: KubeObject[];
  /** For each object, its path within the document: `''`, or `items[3]` in a List. */
  readonly paths: string[];
  readonly problems: InputProblem[];
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops every Secret value as early as possible: `data`, `stringData` and the last-applied
 * annotation (which repeats them) never reach the model.
 */
const withoutSecretValues = (raw: Dict): Dict => {
  const { data, stringData, ...rest } = raw;
  const metadata = dict(rest.metadata);
  const annotations = { ...dict(metadata.annotations) };
  if (LAST_APPLIED in annotations) annotations[LAST_APPLIED] = '<redacted by kubeward>';
  return {
    ...rest,
    metadata: { ...metadata, ...(isDict(metadata.annotations) ? { annotations } : {}) },
    ...(data === undefined ? {} : { data: Object.fromEntries(Object.keys(dict(data)).map((key) => [key, ''])) }),
    ...(stringData === undefined ? {} : { stringData: Object.fromEntries(Object.keys(dict(stringData)).map((key) => [key, ''])) }),
  };
};

const protocol = (value: unknown): Protocol => {
  const text = str(value)?.toUpperCase();
  return text === 'UDP' || text === 'SCTP' ? text : 'TCP';
};

const service = (raw: Dict, meta: ObjectMeta): Service => {
  const spec = dict(raw.spec);
  const type = str(spec.type);
  return defined({
    ...meta,
    kind: 'Service' as const,
    type: type === 'NodePort' || type === 'LoadBalancer' || type === 'ExternalName' ? type : 'ClusterIP',
    selector: isDict(spec.selector) ? stringMap(spec.selector) : undefined,
    ports: dicts(spec.ports).map((port) => {
      const number = int(port.port) ?? 0;
      return defined({
        name: str(port.name),
        protocol: protocol(port.protocol),
        port: number,
        targetPort: intOrString(port.targetPort) ?? number,
        nodePort: int(port.nodePort),
      });
    }),
    clusterIP: str(spec.clusterIP),
    externalName: str(spec.externalName),
    externalIPs: strings(spec.externalIPs),
  }) as Service;
};

const ingress = (raw: Dict, meta: ObjectMeta): Ingress => {
  const spec = dict(raw.spec);
  const backends: IngressBackendRef[] = [];
  const addBackend = (backend: unknown, path: string): void => {
    const body = dict(backend);
    // networking.k8s.io/v1 uses backend.service.{name,port}; extensions/v1beta1 used serviceName/servicePort.
    const v1 = dict(body.service);
    const name = str(v1.name) ?? str(body.serviceName);
    if (name === undefined) return;
    const port = isDict(v1.port) ? (int(v1.port.number) ?? str(v1.port.name)) : intOrString(body.servicePort);
    backends.push(defined({ serviceName: name, port, path }));
  };
  const defaultBackendKey = isDict(spec.defaultBackend) ? 'defaultBackend' : 'backend';
  addBackend(spec[defaultBackendKey], joinPath('spec', defaultBackendKey));
  dicts(spec.rules).forEach((rule, ruleIndex) =>
    dicts(dict(rule.http).paths).forEach((path, pathIndex) =>
      addBackend(path.backend, joinPath('spec', 'rules', ruleIndex, 'http', 'paths', pathIndex, 'backend')),
    ),
  );
  return defined({
    ...meta,
    kind: 'Ingress' as const,
    ingressClassName: str(spec.ingressClassName),
    backends,
    hosts: dicts(spec.rules).flatMap((rule) => str(rule.host) ?? []),
    tlsHosts: dicts(spec.tls).flatMap((tls) => strings(tls.hosts)),
  }) as Ingress;
};

const networkPolicyRules = (value: unknown, peerKey: 'from' | 'to'): NetworkPolicyRule[] =>
  dicts(value).map((rule) => {
    const peers = list(rule[peerKey]);
    const ports = list(rule.ports);
    return {
      peers:
        peers.length === 0
          ? undefined
          : dicts(peers).map((peer) => {
              const block = dict(peer.ipBlock);
              return defined({
                podSelector: labelSelector(peer.podSelector),
                namespaceSelector: labelSelector(peer.namespaceSelector),
                ipBlock: isDict(peer.ipBlock) ? { cidr: str(block.cidr) ?? '', except: strings(block.except) } : undefined,
              }) as NetworkPolicyPeer;
            }),
      ports:
        ports.length === 0
          ? undefined
          : dicts(ports).map((port) => defined({ protocol: protocol(port.protocol), port: intOrString(port.port), endPort: int(port.endPort) })),
    };
  });

const networkPolicy = (raw: Dict, meta: ObjectMeta): NetworkPolicy => {
  const spec = dict(raw.spec);
  const declared = strings(spec.policyTypes).filter((type) => type === 'Ingress' || type === 'Egress');
  // Inference when policyTypes is absent, as the API server defaults it (SetDefaults_NetworkPolicySpec):
  // Ingress always, Egress only when there are egress rules (`egress: []` has none).
  const policyTypes: ('Ingress' | 'Egress')[] =
    declared.length > 0 ? (declared as ('Ingress' | 'Egress')[]) : Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  return {
    ...meta,
    kind: 'NetworkPolicy',
    podSelector: labelSelector(spec.podSelector) ?? { matchLabels: {}, matchExpressions: [] },
    policyTypes,
    ingress: networkPolicyRules(spec.ingress, 'from'),
    egress: networkPolicyRules(spec.egress, 'to'),
  };
};

const role = (raw: Dict, meta: ObjectMeta, kind: 'Role' | 'ClusterRole'): Role => ({
  ...meta,
  kind,
  rules: dicts(raw.rules).map((rule) => ({
    verbs: strings(rule.verbs),
    apiGroups: strings(rule.apiGroups),
    resources: strings(rule.resources),
    resourceNames: strings(rule.resourceNames),
    nonResourceURLs: strings(rule.nonResourceURLs),
  })),
  aggregationSelectors: dicts(dict(raw.aggregationRule).clusterRoleSelectors).flatMap((selector) => labelSelector(selector) ?? []),
});

const SUBJECT_KINDS = new Set(['User', 'Group', 'ServiceAccount']);

const roleBinding = (raw: Dict, meta: ObjectMeta, kind: 'RoleBinding' | 'ClusterRoleBinding'): RoleBinding => {
  const ref = dict(raw.roleRef);
  const subjects = dicts(raw.subjects);
  const invalid = subjects.filter((subject) => !SUBJECT_KINDS.has(str(subject.kind) ?? ''));
  return {
    ...meta,
    kind,
    roleRef: { kind: str(ref.kind) === 'Role' ? 'Role' : 'ClusterRole', name: str(ref.name) ?? '' },
    subjects: subjects
      .filter((subject) => SUBJECT_KINDS.has(str(subject.kind) ?? ''))
      .map((subject) => defined({ kind: str(subject.kind), name: str(subject.name) ?? '', namespace: str(subject.namespace) }) as Subject),
    ...(invalid.length > 0 ? { invalidSubjects: invalid.map((subject) => ({ kind: str(subject.kind) ?? '', name: str(subject.name) ?? '' })) } : {}),
  };
};

const normaliseKnown = (kind: string, raw: Dict, meta: ObjectMeta): KubeObject => {
  if (WORKLOAD_KIND_SET.has(kind)) return workload(kind as WorkloadKind, raw, meta);
  // Cilium's and Calico's policies (Calico's namespaced kind is also called NetworkPolicy).
  const cni = readCniPolicy(kind, meta.apiVersion, raw);
  if (cni) return { ...meta, kind, cni } satisfies OtherObject;
  if (kind === 'Route' && (meta.apiVersion.startsWith('route.openshift.io/') || meta.apiVersion === 'v1')) {
    const spec = dict(raw.spec);
    const backends = [dict(spec.to), ...dicts(spec.alternateBackends)].filter((backend) => (str(backend.kind) ?? 'Service') === 'Service');
    return {
      ...meta,
      kind,
      route: defined({ host: str(spec.host), services: backends.flatMap((backend) => str(backend.name) ?? []), tls: isDict(spec.tls) }),
    } satisfies OtherObject;
  }
  switch (kind) {
    case 'Service':
      return service(raw, meta);
    case 'Ingress':
      return ingress(raw, meta);
    case 'NetworkPolicy':
      return networkPolicy(raw, meta);
    case 'ServiceAccount':
      return defined({
        ...meta,
        kind: 'ServiceAccount' as const,
        automountServiceAccountToken: bool(raw.automountServiceAccountToken),
        secrets: dicts(raw.secrets).flatMap((secret) => str(secret.name) ?? []),
        imagePullSecrets: dicts(raw.imagePullSecrets).flatMap((secret) => str(secret.name) ?? []),
      }) as ServiceAccount;
    case 'Role':
    case 'ClusterRole':
      return role(raw, meta, kind);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return roleBinding(raw, meta, kind);
    case 'Secret':
      return {
        ...meta,
        kind: 'Secret',
        type: str(raw.type) ?? 'Opaque',
        keys: [...new Set([...Object.keys(dict(raw.data)), ...Object.keys(dict(raw.stringData))])],
      } satisfies SecretMeta;
    case 'ConfigMap':
      return {
        ...meta,
        kind: 'ConfigMap',
        keys: [...new Set([...Object.keys(dict(raw.data)), ...Object.keys(dict(raw.binaryData))])],
      } satisfies ConfigMap;
    case 'Namespace':
      return { ...meta, kind: 'Namespace' } satisfies Namespace;
    case 'PodDisruptionBudget': {
      const spec = dict(raw.spec);
      return defined({
        ...meta,
        kind: 'PodDisruptionBudget' as const,
        selector: labelSelector(spec.selector),
        minAvailable: intOrString(spec.minAvailable),
        maxUnavailable: intOrString(spec.maxUnavailable),
        unhealthyPodEvictionPolicy: str(spec.unhealthyPodEvictionPolicy),
      }) as PodDisruptionBudget;
    }
    case 'HorizontalPodAutoscaler': {
      const spec = dict(raw.spec);
      const target = dict(spec.scaleTargetRef);
      return {
        ...meta,
        kind: 'HorizontalPodAutoscaler',
        scaleTargetRef: defined({
          apiVersion: str(target.apiVersion),
          kind: str(target.kind) ?? '',
          name: str(target.name) ?? '',
        }),
        minReplicas: int(spec.minReplicas) ?? 1,
        maxReplicas: int(spec.maxReplicas) ?? 1,
      } satisfies HorizontalPodAutoscaler;
    }
    default:
      return { ...meta, kind };
  }
};

/** Reported source of an object whose root sits at `path` within the document. */
const sourceOf = (path: string, context: DocumentContext): SourceLocation => {
  const position = context.position?.(path) ?? { line: 1, column: 1 };
  if (!context.helmSource) return { file: context.file, documentIndex: context.documentIndex, ...position };
  return {
    file: context.helmSource.path,
    documentIndex: context.documentIndex,
    line: Math.max(1, position.line - context.helmSource.line),
    column: position.column,
    rendered: { file: context.file, line: position.line },
  };
};

const normaliseObject = (value: Dict, path: string, context: DocumentContext, out: NormalisedDocument): void => {
  const source = sourceOf(path, context);
  const kind = str(value.kind);
  const apiVersion = str(value.apiVersion) ?? '';
  if (kind === undefined || kind === '') {
    out.problems.push({
      code: 'missing-kind',
      file: source.file,
      line: source.line,
      column: source.column,
      message: 'document has no `kind`; not a Kubernetes object, skipped',
      level: 'warning',
    });
    return;
  }
  // `kind: List` and every `*List` (kubectl get -o yaml) hold their objects in `items`.
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    // The API server's typed lists (`PodList` from `GET /api/v1/pods`) leave `kind` and `apiVersion`
    // out of their items: they are the list's, without `List`.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    list(value.items).forEach((item, index) => {
      const itemPath = joinPath(path, 'items', index);
      if (!isDict(item)) return;
      const typed = itemKind && item.kind === undefined ? { ...item, kind: itemKind, apiVersion: item.apiVersion ?? value.apiVersion } : item;
      normaliseObject(typed, itemPath, context, out);
    });
    return;
  }
  const raw = kind === 'Secret' ? withoutSecretValues(value) : value;
  const metadata = dict(raw.metadata);
  const name = str(metadata.name) ?? str(metadata.generateName);
  if (name === undefined) {
    out.problems.push({
      code: 'missing-name',
      file: source.file,
      line: source.line,
      column: source.column,
      message: `${kind} has no metadata.name; checked as "<unnamed>"`,
      level: 'warning',
    });
  }
  if (name !== undefined && name.length > 253) {
    out.problems.push({
      code: 'invalid-name',
      file: source.file,
      line: source.line,
      column: source.column,
      message: `${kind} metadata.name is ${name.length} characters; Kubernetes allows at most 253, so the API server refuses it`,
      level: 'warning',
    });
  }
  const declaredNamespace = str(metadata.namespace);
  const namespaced = !CLUSTER_SCOPED.has(kind) && (NAMESPACED.has(kind) || declaredNamespace !== undefined);
  const meta: ObjectMeta = defined({
    apiVersion,
    kind,
    name: name ?? '<unnamed>',
    namespace: namespaced ? (declaredNamespace ?? context.defaultNamespace) : undefined,
    uid: str(metadata.uid),
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    namespaceImplicit: namespaced && declaredNamespace === undefined,
    source,
    raw,
  }) as ObjectMeta;
  out.objects.push(normaliseKnown(kind, raw, meta));
  out.paths.push(path);
};

/** Turns one parsed YAML document into model objects (several for a List). */
export const normaliseDocument = (value: unknown, context: DocumentContext): NormalisedDocument => {
  const out: NormalisedDocument = { objects: [], paths: [], problems: [] };
  if (!isDict(value)) {
    const position = context.position?.('');
    out.problems.push({
      code: 'not-an-object',
      file: context.file,
      ...(position ? { line: position.line, column: position.column } : {}),
      message: `document ${context.documentIndex + 1} is ${Array.isArray(value) ? 'a sequence' : `a ${typeof value}`}, not a Kubernetes object; skipped`,
      level: 'warning',
    });
    return out;
  }
  normaliseObject(value, '', context, out);
  return out;
};
