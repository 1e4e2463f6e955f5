import { createHash } from 'node:crypto';
import type { ClusterSnapshot, Finding, Workload } from '../model/index.js';
import { findingKey } from '../policy/index.js';
import { workloadId, type WorkloadRisk } from '../risk/index.js';
import type { ViolationState, WorkloadState } from './store/types.js';

const hash = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * What of a workload's spec counts as a change: the pod spec and the replicas as the model holds
 * them, without the positions in files (a re-formatted manifest is not a change).
 */
const specHash = (workload: Workload): string =>
  hash(
    JSON.stringify({ pod: workload.pod, replicas: workload.replicas ?? null, labels: workload.podLabels }, (key, value: unknown) =>
      key === 'path' || key === 'location' ? undefined : value,
    ),
  ).slice(0, 32);

/** The id central gives a workload: readable, and unique across clusters. */
export const workloadKey = (cluster: string, workload: Workload): string => `${cluster}/${workloadId(workload)}`;

/** What a workload id names; undefined when it is not `cluster/namespace/Kind/name`. */
export const parseWorkloadKey = (key: string): { cluster: string; namespace: string; kind: string; name: string } | undefined => {
  const parts = key.split('/');
  if (parts.length !== 4 || parts.some((part) => part === '')) return undefined;
  const [cluster = '', namespace = '', kind = '', name = ''] = parts;
  return { cluster, namespace, kind, name };
};

/** The id of a violation: the same finding in the same cluster is the same violation, evaluation after evaluation. */
export const violationKey = (cluster: string, finding: Finding): string => hash(`${cluster}\u0000${findingKey(finding)}`).slice(0, 32);

/** The workloads of a snapshot as central keeps them, with their risk where it was ranked (priority 1 = fix first). */
export const workloadStates = (cluster: string, snapshot: ClusterSnapshot, risks: readonly WorkloadRisk[]): WorkloadState[] => {
  const ranked = new Map(risks.map((risk, index) => [risk.workload, { risk, priority: index + 1 }]));
  return snapshot.workloads.map((workload) => {
    const entry = ranked.get(workloadId(workload));
    return {
      id: workloadKey(cluster, workload),
      namespace: workload.namespace ?? 'default',
      kind: workload.kind,
      name: workload.name,
      uid: workload.uid,
      images: [...new Set(workload.pod.containers.map((container) => container.image.full))],
      replicas: workload.replicas,
      serviceAccount: workload.pod.serviceAccountName,
      specHash: specHash(workload),
      risk: entry ? { score: entry.risk.score, priority: entry.priority, factors: entry.risk.factors } : undefined,
    };
  });
};

/**
 * The findings as violations: those an approved exception covers are kept, excepted, with the
 * exception they answer to; those an annotation or a configuration rule silences are not violations.
 */
export const violationStates = (cluster: string, findings: readonly Finding[]): ViolationState[] =>
  findings
    .filter((finding) => !finding.suppressed || finding.suppressed.by === 'exception')
    .map((finding) => ({
      ...(finding.suppressed?.exception ? { exceptionId: finding.suppressed.exception } : {}),
      id: violationKey(cluster, finding),
      namespace: finding.object.namespace ?? '',
      object: { kind: finding.object.kind, name: finding.object.name },
      container: finding.container ?? '',
      policy: { id: finding.policyId, name: finding.policyName },
      severity: finding.severity,
      categories: finding.categories,
      message: finding.message,
      remediation: finding.remediation,
      path: finding.path,
      enforced: finding.enforcedAt.includes('DEPLOY'),
    }));
