import type { Finding } from '../model/index.js';

/** What makes two findings the same across evaluations: policy, object, container and message. */
export const findingKey = (finding: Finding): string =>
  `${finding.policyId}\u0000${finding.object.kind}\u0000${finding.object.namespace ?? ''}\u0000${finding.object.name}\u0000${finding.container ?? ''}\u0000${finding.message}`;

/** Findings by key, the unsuppressed ones only: the state a diff compares. */
export type FindingState = ReadonlyMap<string, Finding>;

export const findingState = (findings: readonly Finding[]): FindingState =>
  new Map(findings.filter((finding) => !finding.suppressed).map((finding) => [findingKey(finding), finding]));

/**
 * What changed between two evaluations of the same objects: findings that appeared (new
 * violations) and findings that went away (resolved). The sensor reports these as events, and
 * the server will record them as the history of each cluster.
 */
export const diffFindings = (
  previous: FindingState,
  current: FindingState,
): { readonly appeared: readonly Finding[]; readonly resolved: readonly Finding[] } => ({
  appeared: [...current].filter(([key]) => !previous.has(key)).map(([, finding]) => finding),
  resolved: [...previous].filter(([key]) => !current.has(key)).map(([, finding]) => finding),
});
