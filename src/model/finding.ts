import type { ObjectRef, SourceLocation } from './objects.js';

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LIFECYCLE_STAGES = ['BUILD', 'DEPLOY', 'RUNTIME'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

/** A place in a file: what SARIF, JUnit and the table print. */
export interface FileLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One policy violation on one object (and container, where the policy looks at containers). */
export interface Finding {
  readonly policyId: string;
  readonly policyName: string;
  readonly severity: Severity;
  readonly categories: readonly string[];
  readonly object: ObjectRef;
  readonly container?: string;
  /** What is wrong, in a sentence that names the offending value. */
  readonly message: string;
  /** The proposed fix, from the policy's remediation. */
  readonly remediation: string;
  /** JSON path of the field at fault within the object (`spec.template.spec.containers[0].securityContext.privileged`). */
  readonly path: string;
  /** The object's own position; `location` is the field's when the loader knows it. */
  readonly source: SourceLocation;
  readonly location: FileLocation;
  /** Set when the policy enforces at a lifecycle stage: this finding should fail that stage. */
  readonly enforcedAt: readonly LifecycleStage[];
  /**
   * Set when a `kubeward.io/ignore` annotation, an `ignore:` rule of the configuration, or an
   * approved exception in central silences the finding (`exception` names it).
   */
  readonly suppressed?: { readonly by: 'annotation' | 'config' | 'exception'; readonly reason?: string; readonly exception?: string };
}
