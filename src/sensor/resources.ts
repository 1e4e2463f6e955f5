import { KINDS, type KindInfo } from '../model/index.js';

/** A resource the sensor lists and watches. */
export interface WatchedResource {
  readonly kind: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Read as PartialObjectMetadata: names, labels and annotations only, never the values. */
  readonly metadataOnly?: boolean;
  /** A resource some clusters lack (the API group may not be served): a 404 is noted, not fatal. */
  readonly optional?: boolean;
}

/** Kinds the model reads that a cluster does not need to watch for it (ConfigMaps, disruption budgets and autoscalers come from manifests). */
const NOT_WATCHED: ReadonlySet<string> = new Set(['ConfigMap', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']);

/** Everything the model reads: workloads, exposure, network policy, identities, RBAC, nodes, Secret metadata. */
export const WATCHED_RESOURCES: readonly WatchedResource[] = KINDS.flatMap((info: KindInfo): WatchedResource[] =>
  info.apiVersion && info.plural && !NOT_WATCHED.has(info.kind)
    ? [
        {
          kind: info.kind,
          apiVersion: info.apiVersion,
          plural: info.plural,
          namespaced: info.namespaced,
          ...(info.kind === 'Secret' ? { metadataOnly: true } : {}),
        },
      ]
    : [],
);

/** The collection path: `/api/v1/pods`, `/apis/apps/v1/deployments` (all namespaces). */
export const collectionPath = (resource: WatchedResource): string =>
  `${resource.apiVersion.includes('/') ? '/apis' : '/api'}/${resource.apiVersion}/${resource.plural}`;

/** How an object is keyed in the store: `namespace/name`, or `name` for cluster-scoped ones. */
export const objectKey = (object: { readonly metadata?: { readonly namespace?: string; readonly name?: string } }): string =>
  object.metadata?.namespace ? `${object.metadata.namespace}/${object.metadata.name ?? ''}` : (object.metadata?.name ?? '');
