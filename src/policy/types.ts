import type { LifecycleStage, Severity } from '../model/index.js';

/** The kinds of object a policy can look at. `Workload` covers every pod-running kind. */
export const TARGETS = [
  'Workload',
  'Service',
  'Ingress',
  'NetworkPolicy',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Namespace',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'Object',
] as const;
export type Target = (typeof TARGETS)[number];

/**
 * How the values of one condition combine:
 * - OR: some value of the object matches some listed value (StackRox's default);
 * - AND: some value of the object matches every listed value (`> 0` AND `<= 1024` is a range);
 * - NOT_IN: some value of the object matches none of the listed values (allow-lists).
 */
export type BooleanOperator = 'OR' | 'AND' | 'NOT_IN';

export interface FieldCondition {
  readonly field: string;
  readonly values: readonly string[];
  /** Values that are not counted even when they match: `ADD=.*` except the base image's `ADD file:... in /`. */
  readonly except: readonly string[];
  readonly operator: BooleanOperator;
  readonly negate: boolean;
}

export interface CelCondition {
  readonly cel: string;
  /** `container`: evaluated once per container with `container` bound; `object`: once per object. */
  readonly level: 'object' | 'container';
  /** Sentence for the violation message; the expression itself is shown otherwise. */
  readonly message?: string;
}

export type Condition = FieldCondition | CelCondition;

export interface PolicySection {
  readonly name?: string;
  readonly conditions: readonly Condition[];
}

/** Selects objects by namespace, kind, name and label (regular expressions, whole-value, case-insensitive for kinds). */
export interface ObjectSelector {
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly label?: { readonly key: string; readonly value?: string };
}

export interface Exclusion extends ObjectSelector {
  /** Why the exclusion exists, shown in `policy explain`. */
  readonly reason?: string;
  /** Containers whose image reference starts with this prefix are not checked. */
  readonly image?: string;
  /** ISO 8601 date-time after which the exclusion no longer applies. */
  readonly expires?: string;
}

export interface PolicyReferences {
  readonly cisKubernetes: readonly string[];
  readonly nist800190: readonly string[];
  readonly pciDss: readonly string[];
  readonly hipaa: readonly string[];
  readonly mitreAttack: readonly string[];
  readonly podSecurityStandards?: { readonly level: 'baseline' | 'restricted'; readonly control: string };
  readonly kubeLinter: readonly string[];
  readonly stackrox: readonly string[];
}

export interface Policy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly rationale: string;
  readonly remediation: string;
  readonly severity: Severity;
  readonly categories: readonly string[];
  readonly lifecycleStages: readonly LifecycleStage[];
  /** Enabled unless a configuration turns it off; `false` ships it disabled (opt in). */
  readonly enabledByDefault: boolean;
  readonly target: Target;
  /** Only objects of these kinds (for `Object` targets, or to narrow `Workload`). Empty: every kind of the target. */
  readonly kinds: readonly string[];
  readonly scope: readonly ObjectSelector[];
  readonly exclusions: readonly Exclusion[];
  /** Stages at which a violation fails the pipeline or denies admission. */
  readonly enforcement: readonly LifecycleStage[];
  readonly references: PolicyReferences;
  /** Sections are OR'ed; the conditions of a section are AND'ed. */
  readonly criteria: readonly PolicySection[];
  /** Where the policy was read from, for messages. */
  readonly origin: string;
}
