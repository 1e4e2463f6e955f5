import { judgeCluster, type PolicySet } from '../app/index.js';
import type { ClusterSnapshot, InputProblem } from '../model/index.js';
import type { ScannedImage } from '../risk/index.js';
import { violationStates, workloadStates } from './states.js';
import type { CentralStore, IngestOutcome } from './store/index.js';

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
}

export type IngestReport = IngestOutcome & { readonly problems: readonly InputProblem[] };

/**
 * A cluster's snapshot into central: judged with the same policies, exceptions and risk ranking
 * as `kubeward risk` (`judgeCluster`), then applied to the store in one transaction, which moves
 * each violation along its lifecycle.
 */
export const ingestSnapshot = async (options: IngestSnapshotOptions): Promise<IngestReport> => {
  const judged = judgeCluster({ set: options.set, snapshot: options.snapshot, images: options.images ?? [], now: options.now });
  const outcome = await options.store.applySnapshot({
    cluster: options.cluster,
    snapshotId: options.snapshotId,
    at: options.now.toISOString(),
    kubeVersion: options.kubeVersion,
    sensorVersion: options.sensorVersion,
    workloads: workloadStates(options.cluster, options.snapshot, judged.workloads),
    violations: violationStates(options.cluster, judged.findings),
  });
  return { ...outcome, problems: options.problems ?? [] };
};
