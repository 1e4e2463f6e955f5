import type { Container, EnvSource, KubeObject, PolicyRule } from '../../model/index.js';
import type { Target } from '../types.js';
import type { SnapshotIndex } from '../snapshot-index.js';

/** How a field's values are compared with the values a policy lists. */
export type ValueType = 'boolean' | 'number' | 'string' | 'keyValue' | 'envVar' | 'permission';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface EnvCandidate {
  readonly source: EnvSource;
  readonly name: string;
  /** The literal value (RAW only). Matched against, never printed. */
  readonly value: string;
}

export type CandidateValue = string | number | boolean | KeyValue | EnvCandidate | PolicyRule;

/** A string, or how to make it: message texts and paths are built only for values that match. */
export type Lazy = string | (() => string);

export const resolve = (value: Lazy): string => (typeof value === 'string' ? value : value());

/** One value an object (or container) has for a field, with where it is and how to say it. */
export interface Candidate {
  readonly value: CandidateValue;
  readonly path: Lazy;
  /** A clause for the violation message, e.g. `container 'app' has privileged: true`. */
  readonly text: Lazy;
}

export interface FieldContext {
  readonly object: KubeObject;
  readonly container?: Container;
  readonly index: SnapshotIndex;
  /** Field values already read for this object or container, by field number. */
  readonly cache?: (readonly Candidate[] | undefined)[];
}

export interface FieldDefinition {
  /** Position in the registry, for per-object caches. */
  readonly id: number;
  /** StackRox's criteria field name where one exists. */
  readonly name: string;
  /** Other accepted spellings (StackRox export names, older names). */
  readonly aliases?: readonly string[];
  readonly target: Target;
  /** `container` fields are read per container and must match on the same container within a section. */
  readonly level: 'object' | 'container';
  readonly type: ValueType;
  readonly description: string;
  /** StackRox "Required ..." fields: the condition holds when no value matches (an implicit negation). */
  readonly required?: boolean;
  /**
   * Narrows what a policy looks at (namespace, kind, volume type) rather than describing what is
   * wrong: its clause is left out of violation messages when other clauses explain the finding.
   */
  readonly filter?: boolean;
  /** Needs the Kubernetes schemas (`EvaluateOptions.validateSchema`). */
  readonly needsSchemas?: boolean;
  /** Needs other objects of the snapshot to answer (Services, NetworkPolicies, ...). */
  readonly crossObject?: boolean;
  readonly extract: (context: FieldContext) => readonly Candidate[];
  /** Where the field would be written, for findings about an absent or unmatched value. */
  readonly path: (context: FieldContext) => string;
  /** Message when the condition holds because nothing matched (negated or required fields). */
  readonly absent: (context: FieldContext, values: readonly string[]) => string;
}
