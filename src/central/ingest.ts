import { judgeCluster, rankRisk, type PolicySet } from '../app/index.js';
import type { RiskReport } from '../report/risk/index.js';
import { buildSnapshot, normaliseDocument } from '../k8s/index.js';
import type { ClusterSnapshot, InputProblem, KubeObject } from '../model/index.js';
import type { ScannedImage } from '../risk/index.js';
import { violationStates, workloadStates } from './states.js';
import type { IgnoreRule } from '../policy/index.js';
import {
  StoreError,
  type CentralStore,
  type ClusterObjects,
  type ExceptionRecord,
  type IngestOutcome,
  type ObjectChanges,
  type StoredObject,
} from './store/index.js';

export interface IngestSnapshotOptions {
  readonly store: CentralStore;
  readonly set: PolicySet;
  readonly cluster: string;
  readonly snapshotId: string;
  readonly snapshot: ClusterSnapshot;
  readonly images?: readonly ScannedImage[];
  readonly now: Date;
  readonly kubeVersion?: string | undefined;
  readonly sensorVersion?: string | undefined;
  /** Problems met reading the objects: returned with the outcome, never stored as state. */
  readonly problems?: readonly InputProblem[];
  /** The objects to keep for the cluster, so later change batches can be judged on top of them. */
  readonly objects?: ObjectChanges | undefined;
  readonly sequence?: number | undefined;
  readonly basedOnGeneration?: number | undefined;
  readonly rejudge?: boolean | undefined;
}

/** Central's approved exceptions as the rules the engine applies, each naming its exception. */
export const exceptionRules = (exceptions: readonly ExceptionRecord[]): IgnoreRule[] =>
  exceptions.map((exception) => ({
    policy: exception.policy,
    ...(exception.scope.namespace ? { namespace: exception.scope.namespace } : {}),
    ...(exception.scope.kind ? { kind: exception.scope.kind } : {}),
    ...(exception.scope.name ? { name: exception.scope.name } : {}),
    ...(exception.scope.image ? { image: exception.scope.image } : {}),
    ...(exception.expiresAt ? { expires: exception.expiresAt } : {}),
    reason: exception.reason,
    exception: exception.id,
  }));

export type IngestReport = IngestOutcome & { readonly problems: readonly InputProblem[] };

/**
 * A cluster's snapshot into central: judged with the same policies, exceptions and risk ranking
 * as `kubeward risk` (`judgeCluster`), then applied to the store in one transaction, which moves
 * each violation along its lifecycle.
 */
export const ingestSnapshot = async (options: IngestSnapshotOptions): Promise<IngestReport> => {
  const exceptions = exceptionRules(await options.store.activeExceptions(options.cluster, options.now.toISOString()));
  const judged = judgeCluster({ set: options.set, snapshot: options.snapshot, images: options.images ?? [], now: options.now, exceptions });
  const outcome = await options.store.applySnapshot({
    cluster: options.cluster,
    snapshotId: options.snapshotId,
    rejudge: options.rejudge,
    sequence: options.sequence,
    objects: options.objects,
    basedOnGeneration: options.basedOnGeneration,
    at: options.now.toISOString(),
    kubeVersion: options.kubeVersion,
    sensorVersion: options.sensorVersion,
    workloads: workloadStates(options.cluster, options.snapshot, judged.workloads),
    violations: violationStates(options.cluster, judged.findings),
  });
  return { ...outcome, problems: options.problems ?? [] };
};

/** An object a change batch deletes, by the fields that name it. */
export interface ObjectReference {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** What a sensor sends: the whole cluster after each (re)list, then the changes on top of it. */
export type ObjectBatch =
  | { readonly kind: 'full'; readonly snapshotId: string; readonly objects: readonly unknown[] }
  | {
      readonly kind: 'changes';
      /** The full snapshot these changes follow. */
      readonly snapshotId: string;
      /** 1 for the first batch after the snapshot, then one more each time. */
      readonly sequence: number;
      readonly upserts: readonly unknown[];
      readonly deletes: readonly ObjectReference[];
    };

export type BatchOutcome = (IngestReport & { readonly resync?: undefined }) | { readonly resync: true; readonly reason: string };

export interface BatchMeta {
  readonly kubeVersion?: string | undefined;
  readonly sensorVersion?: string | undefined;
}

export const storedObjectKey = (reference: ObjectReference): string =>
  reference.namespace ? `${reference.kind} ${reference.namespace}/${reference.name}` : `${reference.kind} ${reference.name}`;

/** Large and useless for judging: dropped before an object is kept. */
const withoutManagedFields = (raw: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const metadata = raw.metadata;
  if (typeof metadata !== 'object' || metadata === null || !('managedFields' in metadata)) return { ...raw };
  const rest: Record<string, unknown> = { ...(metadata as Record<string, unknown>) };
  delete rest.managedFields;
  return { ...raw, metadata: rest };
};

const toStored = (object: KubeObject): StoredObject => ({
  key: storedObjectKey({ kind: object.kind, namespace: object.namespace, name: object.name }),
  kind: object.kind,
  namespace: object.namespace ?? '',
  name: object.name,
  resourceVersion: String((object.raw.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion ?? ''),
  body: withoutManagedFields(object.raw),
});

/** Objects as JSON values into the model, with what could not be read (named by its index). */
const normaliseAll = (values: readonly unknown[], source: string): { objects: KubeObject[]; problems: InputProblem[] } => {
  const objects: KubeObject[] = [];
  const problems: InputProblem[] = [];
  values.forEach((value, documentIndex) => {
    const normalised = normaliseDocument(value, { file: source, documentIndex, defaultNamespace: 'default' });
    objects.push(...normalised.objects);
    problems.push(...normalised.problems);
  });
  return { objects, problems };
};

export interface IngestorOptions {
  readonly store: CentralStore;
  /** The set to judge with: central's policies change while it runs. */
  readonly set: PolicySet | (() => PolicySet);
  readonly now: () => Date;
  /** The image scans central holds, under the names workloads use. */
  readonly images?: () => Promise<readonly ScannedImage[]>;
}

/** The tally of a batch that changed nothing. */
const UNCHANGED = {
  workloads: { created: 0, updated: 0, removed: 0, unchanged: 0 },
  violations: { opened: 0, reopened: 0, continuing: 0, resolved: 0 },
} as const;

/**
 * Central's side of the sensor stream. A full snapshot replaces what central keeps of a cluster;
 * a change batch is applied on top of the kept objects and the whole cluster judged again (a
 * change to a NetworkPolicy or a RoleBinding moves other workloads' risk). Batches for one
 * cluster are applied one at a time; a batch that does not follow the last one asks the sensor
 * for a full snapshot, so central's state always equals a state the cluster was in.
 */
export const createIngestor = (options: IngestorOptions) => {
  const { store } = options;
  const policySet = (): PolicySet => (typeof options.set === 'function' ? options.set() : options.set);
  const queues = new Map<string, Promise<unknown>>();
  // What each cluster's objects were at the generation central last applied: saves reading them back.
  const kept = new Map<
    string,
    { readonly generation: number; readonly snapshotId?: string; readonly sequence: number; readonly objects: Map<string, KubeObject> }
  >();

  const serialised = <T>(cluster: string, job: () => Promise<T>): Promise<T> => {
    const run = (queues.get(cluster) ?? Promise.resolve()).then(job, job);
    const settled = run.catch(() => undefined);
    queues.set(cluster, settled);
    void settled.then(() => queues.get(cluster) === settled && queues.delete(cluster));
    return run;
  };

  const load = async (cluster: string) => {
    const cached = kept.get(cluster);
    const stored: ClusterObjects = await store.loadObjects(cluster, cached?.generation);
    if (cached && !stored.objects && cached.snapshotId === stored.snapshotId) return { ...cached, sequence: stored.sequence };
    const { objects } = normaliseAll(
      (stored.objects ?? (await store.loadObjects(cluster)).objects ?? []).map((object) => object.body),
      `central:${cluster}`,
    );
    return {
      generation: stored.generation,
      ...(stored.snapshotId ? { snapshotId: stored.snapshotId } : {}),
      sequence: stored.sequence,
      objects: new Map(objects.map((object) => [toStored(object).key, object])),
    };
  };

  const full = async (cluster: string, snapshotId: string, objects: readonly KubeObject[], problems: readonly InputProblem[], meta: BatchMeta) => {
    // A snapshot applied before (a sensor's retry, a replayed request) changes nothing: answered
    // before judging, which at 10,000 workloads costs seconds. The store checks again in its transaction.
    const position = await store.streamPosition(cluster);
    if (position.snapshotId === snapshotId) return { ...UNCHANGED, cluster, generation: position.generation, duplicate: true, problems };
    const byKey = new Map(objects.map((object) => [toStored(object).key, object]));
    const report = await ingestSnapshot({
      store,
      set: policySet(),
      cluster,
      snapshotId,
      snapshot: buildSnapshot([...byKey.values()]),
      images: (await options.images?.()) ?? [],
      problems,
      now: options.now(),
      objects: { replace: [...byKey.values()].map(toStored) },
      sequence: 0,
      ...meta,
    });
    if (!report.duplicate) kept.set(cluster, { generation: report.generation, snapshotId, sequence: 0, objects: byKey });
    return report;
  };

  const changes = async (cluster: string, batch: Extract<ObjectBatch, { kind: 'changes' }>, meta: BatchMeta): Promise<BatchOutcome> => {
    for (let attempt = 0; ; attempt++) {
      const current = await load(cluster);
      if (current.snapshotId !== batch.snapshotId)
        return {
          resync: true,
          reason: `central holds ${current.snapshotId ? `snapshot ${current.snapshotId}` : 'no snapshot'} of this cluster, not ${batch.snapshotId}`,
        };
      const duplicate = { ...UNCHANGED, cluster, generation: current.generation, duplicate: true, problems: [] };
      if (batch.sequence <= current.sequence) return duplicate;
      if (batch.sequence !== current.sequence + 1)
        return { resync: true, reason: `central applied batch ${current.sequence}; batch ${batch.sequence} does not follow it` };
      if (batch.upserts.length === 0 && batch.deletes.length === 0) {
        if (!(await store.touchCluster(cluster, batch.snapshotId, batch.sequence, options.now().toISOString()))) continue;
        return { ...duplicate, duplicate: false };
      }
      const { objects: upserted, problems } = normaliseAll(batch.upserts, `changes ${batch.snapshotId}#${batch.sequence}`);
      const next = new Map(current.objects);
      const deletes = batch.deletes.map(storedObjectKey);
      for (const key of deletes) next.delete(key);
      for (const object of upserted) next.set(toStored(object).key, object);
      try {
        const report = await ingestSnapshot({
          store,
          set: policySet(),
          cluster,
          snapshotId: batch.snapshotId,
          sequence: batch.sequence,
          basedOnGeneration: current.generation,
          snapshot: buildSnapshot([...next.values()]),
          images: (await options.images?.()) ?? [],
          problems,
          now: options.now(),
          objects: { upserts: upserted.map(toStored), deletes },
          ...meta,
        });
        kept.set(cluster, { generation: report.generation, snapshotId: batch.snapshotId, sequence: batch.sequence, objects: next });
        return report;
      } catch (error) {
        // Another replica applied a batch for this cluster meanwhile: judge again on top of it.
        if (!(error instanceof StoreError && error.code === 'conflict') || attempt >= 3) throw error;
      }
    }
  };

  /** Judges a cluster again on the objects kept (exceptions, policies or image scans changed); the stream's position stays. */
  const rejudge = async (cluster: string): Promise<IngestReport | undefined> => {
    for (let attempt = 0; ; attempt++) {
      const current = await load(cluster);
      if (!current.snapshotId) return undefined;
      try {
        const report = await ingestSnapshot({
          store,
          set: policySet(),
          cluster,
          snapshotId: current.snapshotId,
          rejudge: true,
          basedOnGeneration: current.generation,
          snapshot: buildSnapshot([...current.objects.values()]),
          images: (await options.images?.()) ?? [],
          now: options.now(),
        });
        kept.set(cluster, { ...current, generation: report.generation });
        return report;
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'conflict') || attempt >= 3) throw error;
      }
    }
  };

  const pending = new Map<string, NodeJS.Timeout>();
  /** Judges clusters again a little later, once for a burst of reasons (several image scans arriving). */
  const rejudgeSoon = (clusters: readonly string[], delayMs = 1000): void => {
    for (const cluster of clusters) {
      clearTimeout(pending.get(cluster));
      const timer = setTimeout(() => {
        pending.delete(cluster);
        void serialised(cluster, () => rejudge(cluster)).catch(() => undefined);
      }, delayMs);
      timer.unref();
      pending.set(cluster, timer);
    }
  };

  /**
   * A cluster ranked by image or by CVE, as `kubeward risk --by` ranks it, on the objects central
   * keeps and the scans it holds; within a namespace, the objects of that namespace (and the
   * cluster-scoped ones) only.
   */
  const rank = async (cluster: string, by: 'image' | 'cve' | 'workload', version: string, namespace?: string): Promise<RiskReport | undefined> => {
    const current = await load(cluster);
    if (!current.snapshotId) return undefined;
    const objects = [...current.objects.values()].filter((object) => namespace === undefined || !object.namespace || object.namespace === namespace);
    const now = options.now();
    return rankRisk({
      set: policySet(),
      snapshot: buildSnapshot(objects),
      images: (await options.images?.()) ?? [],
      by,
      now,
      version,
      exceptions: exceptionRules(await store.activeExceptions(cluster, now.toISOString())),
    }).report;
  };

  /** The model of a cluster as central keeps it (for the network map and RBAC questions); undefined before its first snapshot. */
  const snapshot = async (cluster: string): Promise<ClusterSnapshot | undefined> => {
    const current = await load(cluster);
    return current.snapshotId ? buildSnapshot([...current.objects.values()]) : undefined;
  };

  return {
    rank,
    snapshot,
    rejudgeSoon,
    rejudge: (cluster: string) => serialised(cluster, () => rejudge(cluster)),
    /** Applies one batch from a sensor (or an API client) for a cluster. */
    ingest: (cluster: string, batch: ObjectBatch, meta: BatchMeta = {}): Promise<BatchOutcome> =>
      serialised(cluster, async () => {
        if (batch.kind === 'changes') return changes(cluster, batch, meta);
        const { objects, problems } = normaliseAll(batch.objects, `snapshot ${batch.snapshotId}`);
        return full(cluster, batch.snapshotId, objects, problems, meta);
      }),
    /** A snapshot already read into the model (the demo's manifests) as a cluster's full snapshot. */
    ingestModel: (cluster: string, snapshotId: string, objects: readonly KubeObject[], problems: readonly InputProblem[] = [], meta: BatchMeta = {}) =>
      serialised(cluster, () => full(cluster, snapshotId, objects, problems, meta)),
  };
};

export type Ingestor = ReturnType<typeof createIngestor>;
