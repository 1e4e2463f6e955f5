export type {
  Policy,
  PolicySection,
  Condition,
  FieldCondition,
  CelCondition,
  Exclusion,
  ObjectSelector,
  PolicyReferences,
  Target,
  BooleanOperator,
} from './types.js';
export { TARGETS } from './types.js';
export { policyDocument } from './document.js';
export { checkPolicyDocument } from './check.js';
export { parsePolicyDocument, policyDocumentSchema, toPath, type PolicyProblem, type PolicyDocument } from './schema.js';
export { compilePolicy, isImagePolicy, type CompiledPolicy } from './compile.js';
export {
  evaluatePolicies,
  ignoredPolicies,
  targetObjects,
  IGNORE_ANNOTATION,
  IGNORE_REASON_ANNOTATION,
  type EvaluateOptions,
  type EvaluationResult,
} from './evaluate.js';
export { selectPolicies, type PolicySelection, type SelectedPolicies, type SelectionEntry } from './select.js';
export { FIELDS, fieldsFor, findField, IMAGE_FIELD_NAMES, type FieldDefinition } from './fields/index.js';
export { SnapshotIndex } from './snapshot-index.js';
export { diffFindings, findingKey, findingState, type FindingState } from './finding-diff.js';
export { applyIgnoreRules, type IgnoreRule, type LapsedRule } from './ignore-rules.js';
export { parseCases, runPolicyCases, type CaseResult, type PolicyCase } from './cases.js';
export { convertStackRoxExport, type StackRoxConversion } from './stackrox.js';
export { exportValidatingAdmissionPolicies, type ValidationAction, type VapExport, type VapOptions } from './vap.js';
