import type {
  AppArmorProfile,
  Container,
  ContainerPort,
  ContainerType,
  EffectiveSecurityContext,
  EnvFrom,
  EnvVar,
  ObjectMeta,
  PodAffinityTerm,
  PodSecurityContext,
  PodSpecModel,
  Probe,
  Protocol,
  Quantity,
  ResourceList,
  SELinuxOptions,
  SeccompProfile,
  Volume,
  VolumeMount,
  Workload,
  WorkloadKind,
} from '../model/index.js';
import { parseImageName } from './image.js';
import { joinPath, KINDS, kindInfo } from '../model/index.js';
import { parseQuantity } from './quantity.js';
import { labelSelector } from './selectors.js';
import { bool, defined, dict, dicts, int, intOrString, isDict, list, str, stringMap, strings, type Dict } from './values.js';

/** Where each workload kind keeps its pod template. */
const POD_TEMPLATE_PATH = (kind: WorkloadKind): readonly string[] => kindInfo(kind)?.workload?.podTemplate ?? [];

const REPLICATED: ReadonlySet<string> = new Set(KINDS.flatMap((info) => ('workload' in info && info.workload.replicated ? [info.kind] : [])));

const dig = (root: Dict, keys: readonly string[]): Dict => {
  let current: Dict = root;
  for (const key of keys) current = dict(current[key]);
  return current;
};

const protocol = (value: unknown): Protocol => {
  const text = str(value)?.toUpperCase();
  return text === 'UDP' || text === 'SCTP' ? text : 'TCP';
};

const quantity = (value: unknown): Quantity | undefined => {
  const text = str(value);
  if (text === undefined) return undefined;
  return { text, value: parseQuantity(text) ?? Number.NaN };
};

const resourceList = (value: unknown): ResourceList => {
  const { cpu, memory, 'ephemeral-storage': ephemeral, ...rest } = dict(value);
  return defined({
    cpu: quantity(cpu),
    memory: quantity(memory),
    ephemeralStorage: quantity(ephemeral),
    other: stringMap(rest),
  });
};

const probe = (value: unknown): Probe | undefined => {
  if (!isDict(value)) return undefined;
  for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    if (isDict(value[handler])) return defined({ handler, port: intOrString(value[handler].port) });
  }
  if (isDict(value.exec)) return { handler: 'exec' };
  return { handler: 'none' };
};

/** Legacy `localhost/<path>`, `runtime/default`, `docker/default`, `unconfined` annotation values. */
const profileFromAnnotation = (value: string | undefined): { type: string; localhostProfile?: string } | undefined => {
  if (value === undefined) return undefined;
  if (value === 'runtime/default' || value === 'docker/default') return { type: 'RuntimeDefault' };
  if (value === 'unconfined') return { type: 'Unconfined' };
  if (value.startsWith('localhost/')) return { type: 'Localhost', localhostProfile: value.slice('localhost/'.length) };
  return { type: value };
};

const seccomp = (value: unknown, from: SeccompProfile['from']): SeccompProfile | undefined => {
  if (!isDict(value)) return undefined;
  const type = str(value.type);
  return type === undefined ? undefined : defined({ type, localhostProfile: str(value.localhostProfile), from });
};

const appArmor = (value: unknown, from: AppArmorProfile['from']): AppArmorProfile | undefined => {
  if (!isDict(value)) return undefined;
  const type = str(value.type);
  return type === undefined ? undefined : defined({ type, localhostProfile: str(value.localhostProfile), from });
};

const seLinux = (value: unknown): SELinuxOptions | undefined =>
  isDict(value) ? defined({ user: str(value.user), role: str(value.role), type: str(value.type), level: str(value.level) }) : undefined;

const podSecurityContext = (value: Dict, podAnnotations: Readonly<Record<string, string>>): PodSecurityContext => {
  const annotationSeccomp = profileFromAnnotation(podAnnotations['seccomp.security.alpha.kubernetes.io/pod']);
  return defined({
    runAsNonRoot: bool(value.runAsNonRoot),
    runAsUser: int(value.runAsUser),
    runAsGroup: int(value.runAsGroup),
    fsGroup: int(value.fsGroup),
    supplementalGroups: list(value.supplementalGroups).flatMap((item) => int(item) ?? []),
    sysctls: dicts(value.sysctls).map((sysctl) => ({ name: str(sysctl.name) ?? '', value: str(sysctl.value) ?? '' })),
    seccompProfile: seccomp(value.seccompProfile, 'pod') ?? (annotationSeccomp ? { ...annotationSeccomp, from: 'annotation' as const } : undefined),
    appArmorProfile: appArmor(value.appArmorProfile, 'pod'),
    seLinuxOptions: seLinux(value.seLinuxOptions),
    windowsHostProcess: bool(dict(value.windowsOptions).hostProcess),
  });
};

/** Merges pod and container security contexts: the container's value wins where it sets one. */
const effectiveSecurityContext = (container: Dict, pod: PodSecurityContext, podAnnotations: Readonly<Record<string, string>>): EffectiveSecurityContext => {
  const sc = dict(container.securityContext);
  const name = str(container.name) ?? '';
  const origin: Record<string, 'pod' | 'container'> = {};
  const pick = <T>(field: string, own: T | undefined, inherited: T | undefined): T | undefined => {
    if (own !== undefined) {
      origin[field] = 'container';
      return own;
    }
    if (inherited !== undefined) origin[field] = 'pod';
    return inherited;
  };
  const capabilities = dict(sc.capabilities);
  const seccompAnnotation = profileFromAnnotation(podAnnotations[`container.seccomp.security.alpha.kubernetes.io/${name}`]);
  const appArmorAnnotation = profileFromAnnotation(podAnnotations[`container.apparmor.security.beta.kubernetes.io/${name}`]);
  return defined({
    privileged: bool(sc.privileged),
    allowPrivilegeEscalation: bool(sc.allowPrivilegeEscalation),
    readOnlyRootFilesystem: bool(sc.readOnlyRootFilesystem),
    procMount: str(sc.procMount),
    runAsNonRoot: pick('runAsNonRoot', bool(sc.runAsNonRoot), pod.runAsNonRoot),
    runAsUser: pick('runAsUser', int(sc.runAsUser), pod.runAsUser),
    runAsGroup: pick('runAsGroup', int(sc.runAsGroup), pod.runAsGroup),
    capabilities: { add: strings(capabilities.add), drop: strings(capabilities.drop) },
    seccompProfile: pick(
      'seccompProfile',
      seccomp(sc.seccompProfile, 'container') ?? (seccompAnnotation ? { ...seccompAnnotation, from: 'annotation' as const } : undefined),
      pod.seccompProfile,
    ),
    appArmorProfile: pick(
      'appArmorProfile',
      appArmor(sc.appArmorProfile, 'container') ?? (appArmorAnnotation ? { ...appArmorAnnotation, from: 'annotation' as const } : undefined),
      pod.appArmorProfile,
    ),
    seLinuxOptions: pick('seLinuxOptions', seLinux(sc.seLinuxOptions), pod.seLinuxOptions),
    windowsHostProcess: pick('windowsHostProcess', bool(dict(sc.windowsOptions).hostProcess), pod.windowsHostProcess),
    origin,
  });
};

const VOLUME_SOURCES: readonly [string, (source: Dict) => string][] = [
  ['hostPath', (s) => str(s.path) ?? ''],
  ['emptyDir', () => ''],
  ['secret', (s) => str(s.secretName) ?? ''],
  ['configMap', (s) => str(s.name) ?? ''],
  ['persistentVolumeClaim', (s) => str(s.claimName) ?? ''],
  ['projected', () => ''],
  ['downwardAPI', () => ''],
  ['nfs', (s) => `${str(s.server) ?? ''}:${str(s.path) ?? ''}`],
  ['csi', (s) => str(s.driver) ?? ''],
  ['ephemeral', () => ''],
  ['image', (s) => str(s.reference) ?? ''],
];

const volume = (value: Dict, path: string): Volume => {
  const name = str(value.name) ?? '';
  for (const [type, source] of VOLUME_SOURCES) {
    if (isDict(value[type])) {
      const body = value[type];
      return defined({
        name,
        type,
        source: source(body),
        hostPathType: type === 'hostPath' ? str(body.type) : undefined,
        projectedSources:
          type === 'projected'
            ? dicts(body.sources).flatMap((projection) =>
                Object.entries(projection).map(([kind, detail]) => defined({ type: kind, name: str(dict(detail).name) })),
              )
            : [],
        path,
      });
    }
  }
  // Any other in-tree or flex volume source: the first key other than `name` names its type.
  const type = Object.keys(value).find((key) => key !== 'name') ?? 'unknown';
  return { name, type, source: str(dict(value[type]).path) ?? '', projectedSources: [], path };
};

const containerPorts = (value: unknown): ContainerPort[] =>
  dicts(value).map((port) =>
    defined({
      name: str(port.name),
      containerPort: int(port.containerPort) ?? 0,
      protocol: protocol(port.protocol),
      hostPort: int(port.hostPort),
      hostIP: str(port.hostIP),
    }),
  );

const envVars = (value: unknown, base: string): EnvVar[] =>
  dicts(value).map((env, index) => {
    const name = str(env.name) ?? '';
    const path = joinPath(base, 'env', index);
    const from = dict(env.valueFrom);
    const keyRef = (ref: Dict) => defined({ name: str(ref.name) ?? '', key: str(ref.key) ?? '', optional: bool(ref.optional) });
    if (isDict(from.secretKeyRef)) return { name, source: 'SECRET_KEY', ref: keyRef(from.secretKeyRef), path };
    if (isDict(from.configMapKeyRef)) return { name, source: 'CONFIG_MAP_KEY', ref: keyRef(from.configMapKeyRef), path };
    if (isDict(from.fieldRef)) return { name, source: 'FIELD', ref: { name: str(from.fieldRef.fieldPath) ?? '', key: '' }, path };
    if (isDict(from.resourceFieldRef)) return { name, source: 'RESOURCE_FIELD', ref: { name: str(from.resourceFieldRef.resource) ?? '', key: '' }, path };
    const literal = str(env.value);
    return literal === undefined ? { name, source: 'UNSET', path } : { name, source: 'RAW', value: literal, path };
  });

const envFroms = (value: unknown, base: string): EnvFrom[] =>
  dicts(value).flatMap((source, index): EnvFrom[] => {
    const path = joinPath(base, 'envFrom', index);
    const prefix = str(source.prefix);
    const ref = isDict(source.secretRef)
      ? { kind: 'Secret' as const, name: str(source.secretRef.name) ?? '' }
      : isDict(source.configMapRef)
        ? { kind: 'ConfigMap' as const, name: str(source.configMapRef.name) ?? '' }
        : undefined;
    return ref ? [defined({ ...ref, prefix, path })] : [];
  });

const container = (
  value: Dict,
  type: ContainerType,
  index: number,
  path: string,
  pod: PodSecurityContext,
  podAnnotations: Readonly<Record<string, string>>,
  volumes: readonly Volume[],
): Container => {
  const sc = dict(value.securityContext);
  const resources = dict(value.resources);
  const mounts: VolumeMount[] = dicts(value.volumeMounts).map((mount, mountIndex) => {
    const name = str(mount.name) ?? '';
    return defined({
      name,
      mountPath: str(mount.mountPath) ?? '',
      readOnly: bool(mount.readOnly) ?? false,
      mountPropagation: str(mount.mountPropagation),
      subPath: str(mount.subPath),
      volume: volumes.find((candidate) => candidate.name === name),
      path: joinPath(path, 'volumeMounts', mountIndex),
    }) as VolumeMount;
  });
  return defined({
    name: str(value.name) ?? '',
    type,
    index,
    path,
    image: parseImageName(str(value.image) ?? ''),
    imagePullPolicy: str(value.imagePullPolicy),
    command: strings(value.command),
    args: strings(value.args),
    securityContext: effectiveSecurityContext(value, pod, podAnnotations),
    securityContextMissing: Object.keys(sc).length === 0 && isPodSecurityContextEmpty(pod),
    resources: { requests: resourceList(resources.requests), limits: resourceList(resources.limits) },
    livenessProbe: probe(value.livenessProbe),
    readinessProbe: probe(value.readinessProbe),
    startupProbe: probe(value.startupProbe),
    ports: containerPorts(value.ports),
    env: envVars(value.env, path),
    envFrom: envFroms(value.envFrom, path),
    volumeMounts: mounts,
    restartPolicy: str(value.restartPolicy),
    stdin: bool(value.stdin) ?? false,
    tty: bool(value.tty) ?? false,
  });
};

const isPodSecurityContextEmpty = (pod: PodSecurityContext): boolean => {
  for (const key in pod) {
    const item = pod[key as keyof PodSecurityContext];
    if (item !== undefined && !(Array.isArray(item) && item.length === 0)) return false;
  }
  return true;
};

const affinityTerm = (term: Dict, required: boolean, path: string): PodAffinityTerm =>
  defined({
    required,
    labelSelector: labelSelector(term.labelSelector),
    namespaces: strings(term.namespaces),
    namespaceSelector: labelSelector(term.namespaceSelector),
    topologyKey: str(term.topologyKey) ?? '',
    matchLabelKeys: strings(term.matchLabelKeys),
    mismatchLabelKeys: strings(term.mismatchLabelKeys),
    path,
  });

const antiAffinityTerms = (antiAffinity: Dict, path: string): PodAffinityTerm[] => [
  ...dicts(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution).map((term, index) =>
    affinityTerm(term, true, joinPath(path, 'requiredDuringSchedulingIgnoredDuringExecution', index)),
  ),
  ...dicts(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((weighted, index) =>
    affinityTerm(dict(weighted.podAffinityTerm), false, joinPath(path, 'preferredDuringSchedulingIgnoredDuringExecution', index, 'podAffinityTerm')),
  ),
];

const CONTAINER_LISTS: readonly [string, ContainerType][] = [
  ['containers', 'container'],
  ['initContainers', 'init'],
  ['ephemeralContainers', 'ephemeral'],
];

export const podSpec = (spec: Dict, specPath: string, podAnnotations: Readonly<Record<string, string>>): PodSpecModel => {
  const securityContext = podSecurityContext(dict(spec.securityContext), podAnnotations);
  const volumes = dicts(spec.volumes).map((item, index) => volume(item, joinPath(specPath, 'volumes', index)));
  const containers = CONTAINER_LISTS.flatMap(([key, type]) =>
    list(spec[key]).flatMap((item, index) =>
      isDict(item) ? [container(item, type, index, joinPath(specPath, key, index), securityContext, podAnnotations, volumes)] : [],
    ),
  );
  const affinity = dict(spec.affinity);
  const serviceAccountName = str(spec.serviceAccountName) ?? str(spec.serviceAccount);
  return defined({
    serviceAccountName: serviceAccountName ?? 'default',
    serviceAccountNameExplicit: serviceAccountName !== undefined,
    deprecatedServiceAccount: str(spec.serviceAccount),
    automountServiceAccountToken: bool(spec.automountServiceAccountToken),
    hostNetwork: bool(spec.hostNetwork) ?? false,
    hostPID: bool(spec.hostPID) ?? false,
    hostIPC: bool(spec.hostIPC) ?? false,
    hostUsers: bool(spec.hostUsers),
    shareProcessNamespace: bool(spec.shareProcessNamespace) ?? false,
    securityContext,
    containers,
    volumes,
    runtimeClassName: str(spec.runtimeClassName),
    priorityClassName: str(spec.priorityClassName),
    restartPolicy: str(spec.restartPolicy),
    nodeSelector: stringMap(spec.nodeSelector),
    hasNodeAffinity: isDict(affinity.nodeAffinity),
    podAntiAffinity: antiAffinityTerms(dict(affinity.podAntiAffinity), joinPath(specPath, 'affinity', 'podAntiAffinity')),
    topologySpreadConstraints: dicts(spec.topologySpreadConstraints).map((constraint, index) =>
      defined({
        maxSkew: int(constraint.maxSkew),
        topologyKey: str(constraint.topologyKey) ?? '',
        whenUnsatisfiable: str(constraint.whenUnsatisfiable) ?? 'DoNotSchedule',
        labelSelector: labelSelector(constraint.labelSelector),
        matchLabelKeys: strings(constraint.matchLabelKeys),
        path: joinPath(specPath, 'topologySpreadConstraints', index),
      }),
    ),
    tolerations: dicts(spec.tolerations).map((toleration) =>
      defined({ key: str(toleration.key), operator: str(toleration.operator), effect: str(toleration.effect) }),
    ),
    dnsPolicy: str(spec.dnsPolicy),
    dnsConfigOptions: dicts(dict(spec.dnsConfig).options).map((option) => defined({ name: str(option.name) ?? '', value: str(option.value) })),
    imagePullSecrets: dicts(spec.imagePullSecrets).flatMap((secret) => str(secret.name) ?? []),
  });
};

const updateStrategy = (kind: WorkloadKind, spec: Dict): string | undefined => {
  switch (kind) {
    case 'Deployment':
      return str(dict(spec.strategy).type) ?? 'RollingUpdate';
    case 'StatefulSet':
    case 'DaemonSet':
      return str(dict(spec.updateStrategy).type) ?? 'RollingUpdate';
    case 'DeploymentConfig':
      return str(dict(spec.strategy).type) ?? 'Rolling';
    default:
      return undefined;
  }
};

/** Normalises any workload kind: the pod template is found where that kind keeps it. */
export const workload = (kind: WorkloadKind, raw: Dict, meta: ObjectMeta): Workload => {
  const templatePath = POD_TEMPLATE_PATH(kind);
  const template = dig(raw, templatePath);
  const podMetaPath = joinPath('', ...templatePath, 'metadata');
  const podSpecPath = joinPath('', ...templatePath, 'spec');
  const templateMeta = dict(template.metadata);
  const podAnnotations = kind === 'Pod' ? meta.annotations : stringMap(templateMeta.annotations);
  const spec = dict(raw.spec);
  const jobSpec = kind === 'CronJob' ? dict(dict(spec.jobTemplate).spec) : spec;
  const selector =
    kind === 'ReplicationController' || kind === 'DeploymentConfig'
      ? isDict(spec.selector)
        ? { matchLabels: stringMap(spec.selector), matchExpressions: [] }
        : undefined
      : labelSelector(spec.selector);
  const owner = dicts(dict(raw.metadata).ownerReferences).find((entry) => bool(entry.controller) === true);
  const controller =
    owner && str(owner.kind) && str(owner.name)
      ? defined({ kind: str(owner.kind) as string, name: str(owner.name) as string, uid: str(owner.uid) })
      : undefined;
  return defined({
    ...meta,
    kind,
    replicas: REPLICATED.has(kind) ? (int(spec.replicas) ?? 1) : undefined,
    selector,
    podLabels: kind === 'Pod' ? meta.labels : stringMap(templateMeta.labels),
    podAnnotations,
    pod: podSpec(dict(template.spec), podSpecPath, podAnnotations),
    podSpecPath,
    podMetaPath,
    updateStrategy: updateStrategy(kind, spec),
    schedule: kind === 'CronJob' ? str(spec.schedule) : undefined,
    ttlSecondsAfterFinished: kind === 'Job' || kind === 'CronJob' ? int(jobSpec.ttlSecondsAfterFinished) : undefined,
    ownedByController: controller !== undefined,
    controller,
  }) as Workload;
};
