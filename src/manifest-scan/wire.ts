import type { FileLocation, Finding, ObjectRef, SourceLocation } from '../model/index.js';
import type { CompiledPolicy } from '../policy/index.js';

/**
 * A finding as it crosses a thread boundary: what the policy already says (name, severity,
 * remediation, ...) is left out and restored from the policy list both sides hold, so
 * structured cloning copies only what is particular to the finding.
 */
export type WireFinding = readonly [
  policy: number,
  object: ObjectRef,
  container: string | null,
  message: string,
  path: string,
  source: SourceLocation,
  location: FileLocation,
  suppressed: NonNullable<Finding['suppressed']> | null,
];

export const encodeFindings = (findings: readonly Finding[], policies: readonly CompiledPolicy[]): WireFinding[] => {
  const index = new Map(policies.map((compiled, position) => [compiled.policy.id, position]));
  return findings.map((finding) => [
    index.get(finding.policyId) ?? -1,
    finding.object,
    finding.container ?? null,
    finding.message,
    finding.path,
    finding.source,
    finding.location,
    finding.suppressed ?? null,
  ]);
};

export const decodeFindings = (wire: readonly WireFinding[], policies: readonly CompiledPolicy[]): Finding[] =>
  wire.map(([policyIndex, object, container, message, path, source, location, suppressed]) => {
    const compiled = policies[policyIndex] as CompiledPolicy;
    const { policy } = compiled;
    // Same key order as the evaluator builds (optional keys last), so a report reads the same
    // whichever thread judged the object.
    const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
      policyId: policy.id,
      policyName: policy.name,
      severity: policy.severity,
      categories: policy.categories,
      object,
      message,
      remediation: policy.remediation,
      path,
      source,
      location,
      enforcedAt: compiled.enforcedAt,
    };
    if (container !== null) finding.container = container;
    if (suppressed !== null) finding.suppressed = suppressed;
    return finding;
  });
