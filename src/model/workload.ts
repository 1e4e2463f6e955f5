import { kindInfo, KINDS } from './kinds.js';
import type { LabelSelector, Labels, ObjectMeta, Protocol } from './objects.js';

export type WorkloadKind = Extract<(typeof KINDS)[number], { readonly workload: object }>['kind'];
/** The kinds with a pod template, in the table's order. */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = KINDS.flatMap((info) => ('workload' in info ? [info.kind] : []));

/** The API group and resource of each workload kind Kubernetes serves (DeploymentConfig is OpenShift's). */
export const WORKLOAD_RESOURCES: Readonly<Partial<Record<WorkloadKind, { readonly group: string; readonly resource: string }>>> = Object.fromEntries(
  WORKLOAD_KINDS.flatMap((kind) => {
    const info = kindInfo(kind);
    return info?.apiVersion && info.plural
      ? [[kind, { group: info.apiVersion.includes('/') ? (info.apiVersion.split('/')[0] as string) : '', resource: info.plural }]]
      : [];
  }),
);

/** A container image reference split the way registries and policies need it. */
export interface ImageName {
  /** The reference as written in the manifest. */
  readonly full: string;
  /** Registry host; `docker.io` when the reference names none. */
  readonly registry: string;
  /** Repository path without registry, e.g. `library/nginx`. */
  readonly remote: string;
  /** Tag as written; `undefined` when the reference has none (Kubernetes then pulls `latest`, unless a digest is given). */
  readonly tag?: string;
  readonly digest?: string;
}

export interface Capabilities {
  readonly add: readonly string[];
  readonly drop: readonly string[];
}

export interface SeccompProfile {
  readonly type: 'RuntimeDefault' | 'Localhost' | 'Unconfined' | string;
  readonly localhostProfile?: string;
  /** Where the setting came from: the security context field or the legacy annotation. */
  readonly from: 'container' | 'pod' | 'annotation';
}

export interface AppArmorProfile {
  readonly type: 'RuntimeDefault' | 'Localhost' | 'Unconfined' | string;
  readonly localhostProfile?: string;
  readonly from: 'container' | 'pod' | 'annotation';
}

export interface SELinuxOptions {
  readonly user?: string;
  readonly role?: string;
  readonly type?: string;
  readonly level?: string;
}

/**
 * A container's effective security context: the pod-level value where the container sets none
 * (container wins), with `undefined` meaning "not set anywhere" so policies can tell unset from false.
 * `origin` records, per field, whether the value came from the pod or the container.
 */
export interface EffectiveSecurityContext {
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly procMount?: string;
  readonly capabilities: Capabilities;
  readonly seccompProfile?: SeccompProfile;
  readonly appArmorProfile?: AppArmorProfile;
  readonly seLinuxOptions?: SELinuxOptions;
  readonly windowsHostProcess?: boolean;
  readonly origin: Readonly<Record<string, 'pod' | 'container'>>;
}

export interface PodSecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly fsGroup?: number;
  readonly supplementalGroups: readonly number[];
  readonly sysctls: readonly { readonly name: string; readonly value: string }[];
  readonly seccompProfile?: SeccompProfile;
  readonly appArmorProfile?: AppArmorProfile;
  readonly seLinuxOptions?: SELinuxOptions;
  readonly windowsHostProcess?: boolean;
}

/** A resource quantity parsed to a number (cores for CPU, bytes for memory) alongside what was written. */
export interface Quantity {
  readonly text: string;
  readonly value: number;
}

export interface ResourceList {
  readonly cpu?: Quantity;
  readonly memory?: Quantity;
  readonly ephemeralStorage?: Quantity;
  readonly other: Readonly<Record<string, string>>;
}

export interface Resources {
  readonly requests: ResourceList;
  readonly limits: ResourceList;
}

export type ProbeHandler = 'httpGet' | 'tcpSocket' | 'grpc' | 'exec' | 'none';

export interface Probe {
  readonly handler: ProbeHandler;
  /** The port the probe targets (number or container port name), for httpGet, tcpSocket and grpc. */
  readonly port?: number | string;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
  readonly hostPort?: number;
  readonly hostIP?: string;
}

export type EnvSource = 'RAW' | 'SECRET_KEY' | 'CONFIG_MAP_KEY' | 'FIELD' | 'RESOURCE_FIELD' | 'UNSET';

export interface EnvVar {
  readonly name: string;
  /** Where the value comes from, in StackRox's terms: RAW literal, SECRET_KEY, CONFIG_MAP_KEY, FIELD, RESOURCE_FIELD. */
  readonly source: EnvSource;
  /** The literal value, for RAW only. */
  readonly value?: string;
  /** The Secret or ConfigMap name, and key, for SECRET_KEY / CONFIG_MAP_KEY; the field path for FIELD. */
  readonly ref?: { readonly name: string; readonly key: string; readonly optional?: boolean };
  readonly path: string;
}

export interface EnvFrom {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly prefix?: string;
  readonly path: string;
}

export type VolumeType =
  | 'hostPath'
  | 'emptyDir'
  | 'secret'
  | 'configMap'
  | 'projected'
  | 'downwardAPI'
  | 'persistentVolumeClaim'
  | 'ephemeral'
  | 'csi'
  | 'nfs'
  | 'iscsi'
  | 'image'
  | string;

export interface Volume {
  readonly name: string;
  readonly type: VolumeType;
  /** What the volume points at: host path, Secret/ConfigMap/claim name, NFS server:path. Empty for emptyDir. */
  readonly source: string;
  readonly hostPathType?: string;
  /** Secret names a projected volume pulls in (service account tokens are marked `serviceAccountToken`). */
  readonly projectedSources: readonly { readonly type: string; readonly name?: string }[];
  readonly path: string;
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly mountPropagation?: string;
  readonly subPath?: string;
  /** The pod volume this mount refers to; `undefined` when no volume has that name. */
  readonly volume: Volume | undefined;
  readonly path: string;
}

export type ContainerType = 'container' | 'init' | 'ephemeral';

export interface Container {
  readonly name: string;
  readonly type: ContainerType;
  /** Index within its list (`containers`, `initContainers` or `ephemeralContainers`). */
  readonly index: number;
  /** JSON path of the container within the workload object, e.g. `spec.template.spec.containers[1]`. */
  readonly path: string;
  readonly image: ImageName;
  readonly imagePullPolicy?: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly securityContext: EffectiveSecurityContext;
  /** True when neither the pod nor the container had a securityContext with any field set. */
  readonly securityContextMissing: boolean;
  readonly resources: Resources;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly ports: readonly ContainerPort[];
  readonly env: readonly EnvVar[];
  readonly envFrom: readonly EnvFrom[];
  readonly volumeMounts: readonly VolumeMount[];
  readonly restartPolicy?: string;
  readonly stdin: boolean;
  readonly tty: boolean;
}

/** A pod (anti-)affinity term: which pods it counts, in which namespaces, over which topology domain. */
export interface PodAffinityTerm {
  /** `requiredDuringScheduling...` (a hard rule) or `preferredDuringScheduling...` (weighted). */
  readonly required: boolean;
  /** Absent: the term selects no pod. */
  readonly labelSelector?: LabelSelector;
  readonly namespaces: readonly string[];
  /** Absent with no `namespaces`: the pod's own namespace; `{}`: every namespace. */
  readonly namespaceSelector?: LabelSelector;
  readonly topologyKey: string;
  /** Keys whose values are taken from the incoming pod and added to the selector (Kubernetes 1.29+). */
  readonly matchLabelKeys: readonly string[];
  /** Keys whose values must differ from the incoming pod's (Kubernetes 1.29+). */
  readonly mismatchLabelKeys: readonly string[];
  readonly path: string;
}

export interface TopologySpreadConstraint {
  readonly maxSkew?: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: string;
  /** Absent: the constraint counts no pod. */
  readonly labelSelector?: LabelSelector;
  readonly matchLabelKeys: readonly string[];
  readonly path: string;
}

export interface PodSpecModel {
  /** `default` when the manifest names none. */
  readonly serviceAccountName: string;
  readonly serviceAccountNameExplicit: boolean;
  /** The deprecated `serviceAccount` field, when used. */
  readonly deprecatedServiceAccount?: string;
  /** `undefined` when the pod does not say (the ServiceAccount's setting applies, default true). */
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork: boolean;
  readonly hostPID: boolean;
  readonly hostIPC: boolean;
  readonly hostUsers?: boolean;
  readonly shareProcessNamespace: boolean;
  readonly securityContext: PodSecurityContext;
  /** Every container: regular, init and ephemeral, in that order. */
  readonly containers: readonly Container[];
  readonly volumes: readonly Volume[];
  readonly runtimeClassName?: string;
  readonly priorityClassName?: string;
  readonly restartPolicy?: string;
  readonly nodeSelector: Labels;
  readonly hasNodeAffinity: boolean;
  /** `affinity.podAntiAffinity` terms, required and preferred ones. */
  readonly podAntiAffinity: readonly PodAffinityTerm[];
  readonly topologySpreadConstraints: readonly TopologySpreadConstraint[];
  readonly tolerations: readonly { readonly key?: string; readonly operator?: string; readonly effect?: string }[];
  readonly dnsPolicy?: string;
  readonly dnsConfigOptions: readonly { readonly name: string; readonly value?: string }[];
  readonly imagePullSecrets: readonly string[];
}

/** Any object that runs pods, normalised: Pod, Deployment, ..., CronJob, OpenShift DeploymentConfig. */
export interface Workload extends ObjectMeta {
  readonly kind: WorkloadKind;
  /** Replicas as declared; 1 where the field is absent on a replicated kind; `undefined` for DaemonSets, Jobs, CronJobs and Pods. */
  readonly replicas?: number;
  readonly selector?: LabelSelector;
  readonly podLabels: Labels;
  readonly podAnnotations: Labels;
  readonly pod: PodSpecModel;
  /** JSON path of the pod spec within the object, e.g. `spec.template.spec`. */
  readonly podSpecPath: string;
  /** JSON path of the pod template's metadata, e.g. `spec.template.metadata`. */
  readonly podMetaPath: string;
  readonly updateStrategy?: string;
  /** CronJob schedule; Job ttlSecondsAfterFinished; whether a Job comes from a CronJob template. */
  readonly schedule?: string;
  readonly ttlSecondsAfterFinished?: number;
  readonly ownedByController: boolean;
  /** The controlling owner (`ownerReferences` entry with `controller: true`): a ReplicaSet's Deployment, a Pod's ReplicaSet. */
  readonly controller?: { readonly kind: string; readonly name: string; readonly uid?: string };
  /**
   * Set on a workload Kubernetes would have created from a controller the input does not hold
   * (pods of a ReplicaSet in a `kubectl get pods` dump): the controller, inferred from the
   * ownerReferences of these pods, stands for them.
   */
  readonly inferredFrom?: readonly string[];
}
