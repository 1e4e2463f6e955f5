import { WORKLOAD_KINDS, type KubeObject, type Workload } from '../model/index.js';

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);

/**
 * Fields a workload summary answers as the full model would. When every cross-object policy
 * judges workloads with these fields only, a scan keeps summaries instead of whole models.
 */
export const SUMMARY_FIELDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Namespace Implicit',
  'Object Name',
  'Kind',
  'API Version',
  'Label',
  'Required Label',
  'Annotation',
  'Required Annotation',
  'Service Account',
  'Automount Service Account Token',
  'Service Account Exists',
  'Replicas',
  'Host Network',
  'Managed By Controller',
  'Selector Matches Pod Labels',
  'Has Ingress Network Policy',
  'Has Egress Network Policy',
  'Port Exposure Method',
  'Exposed Node Port',
  'Container Name',
  'Container Type',
  'Image',
  'Image Registry',
  'Image Remote',
  'Image Tag',
  'Image Pinned By Digest',
  'Exposed Port',
  'Exposed Port Protocol',
  'Container Port',
  'Host Port',
  'Missing Environment Source',
  'Minimum Replicas',
  'Has PodDisruptionBudget',
  'Has Pod Anti-Affinity',
  'Has Topology Spread Constraints',
]);

/**
 * What other threads need to know of an object to answer cross-object questions about their
 * own objects (which Services select which pods, which NetworkPolicies isolate them, which
 * accounts, Secrets and roles exist): the object minus its manifest body and, for workloads,
 * minus the pod details no cross-object field reads of another object (it keeps labels,
 * replicas and container ports). Every SnapshotIndex lookup must be answerable from this.
 */
export const summarise = (object: KubeObject, keepAnnotations = false): KubeObject => {
  const meta = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.name,
    ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
    ...(object.uid === undefined ? {} : { uid: object.uid }),
    labels: object.labels,
    // Annotations matter to the object's own judgement (kubeward.io/ignore), not to others'.
    annotations: keepAnnotations ? object.annotations : {},
    namespaceImplicit: object.namespaceImplicit,
    source: object.source,
    raw: {},
  };
  if (!WORKLOAD_KIND_SET.has(object.kind)) {
    return { ...object, ...meta } as KubeObject;
  }
  const workload = object as Workload;
  return {
    ...meta,
    kind: workload.kind,
    ...(workload.replicas === undefined ? {} : { replicas: workload.replicas }),
    ...(workload.selector === undefined ? {} : { selector: workload.selector }),
    podLabels: workload.podLabels,
    podAnnotations: keepAnnotations ? workload.podAnnotations : {},
    podSpecPath: workload.podSpecPath,
    podMetaPath: workload.podMetaPath,
    ownedByController: workload.ownedByController,
    ...(workload.controller ? { controller: workload.controller } : {}),
    pod: {
      serviceAccountName: workload.pod.serviceAccountName,
      serviceAccountNameExplicit: workload.pod.serviceAccountNameExplicit,
      ...(workload.pod.automountServiceAccountToken === undefined ? {} : { automountServiceAccountToken: workload.pod.automountServiceAccountToken }),
      hostNetwork: workload.pod.hostNetwork,
      podAntiAffinity: workload.pod.podAntiAffinity,
      topologySpreadConstraints: workload.pod.topologySpreadConstraints,
      containers: workload.pod.containers.map((container) => ({
        name: container.name,
        type: container.type,
        index: container.index,
        path: container.path,
        image: container.image,
        ports: container.ports,
        // References to Secrets and ConfigMaps, never literal values.
        env: container.env.filter((env) => env.source === 'SECRET_KEY' || env.source === 'CONFIG_MAP_KEY'),
        envFrom: container.envFrom,
      })),
      volumes: [],
    },
  } as unknown as Workload;
};
