import type { PolicyDocument } from './schema.js';
import type { Policy } from './types.js';

/**
 * A policy as the document that states it (the Policy custom resource), for export and for
 * central to keep: `parsePolicyDocument(policyDocument(policy))` gives the policy back. Empty
 * lists and defaults are left out, as a person would write it.
 */
export const policyDocument = (policy: Policy): PolicyDocument & { metadata: { name: string } } => {
  const nonEmpty = <K extends string, T>(key: K, items: readonly T[]): Partial<Record<K, T[]>> =>
    (items.length > 0 ? { [key]: [...items] } : {}) as Partial<Record<K, T[]>>;
  const { references } = policy;
  const referenceEntries = {
    ...nonEmpty('cisKubernetes', references.cisKubernetes),
    ...nonEmpty('nist800190', references.nist800190),
    ...nonEmpty('pciDss', references.pciDss),
    ...nonEmpty('hipaa', references.hipaa),
    ...nonEmpty('mitreAttack', references.mitreAttack),
    ...(references.podSecurityStandards ? { podSecurityStandards: { ...references.podSecurityStandards } } : {}),
    ...nonEmpty('kubeLinter', references.kubeLinter),
    ...nonEmpty('stackrox', references.stackrox),
  };
  return {
    apiVersion: 'kubeward.io/v1',
    kind: 'Policy',
    metadata: { name: policy.id },
    spec: {
      name: policy.name,
      description: policy.description,
      rationale: policy.rationale,
      remediation: policy.remediation,
      severity: policy.severity,
      ...nonEmpty('categories', policy.categories),
      lifecycleStages: [...policy.lifecycleStages],
      ...(policy.enabledByDefault ? {} : { disabled: true }),
      ...(policy.target === 'Workload' ? {} : { target: policy.target }),
      ...nonEmpty('kinds', policy.kinds),
      ...nonEmpty(
        'scope',
        policy.scope.map((selector) => ({ ...selector, ...(selector.label ? { label: { ...selector.label } } : {}) })),
      ),
      ...nonEmpty(
        'exclusions',
        policy.exclusions.map((exclusion) => ({ ...exclusion, ...(exclusion.label ? { label: { ...exclusion.label } } : {}) })),
      ),
      ...nonEmpty('enforcement', policy.enforcement),
      ...(Object.keys(referenceEntries).length > 0 ? { references: referenceEntries } : {}),
      criteria: policy.criteria.map((section) => ({
        ...(section.name === undefined ? {} : { name: section.name }),
        conditions: section.conditions.map((condition) =>
          'cel' in condition
            ? {
                cel: condition.cel,
                ...(condition.level === 'object' ? {} : { level: condition.level }),
                ...(condition.message ? { message: condition.message } : {}),
              }
            : {
                field: condition.field,
                values: [...condition.values],
                ...nonEmpty('except', condition.except),
                ...(condition.operator === 'OR' ? {} : { operator: condition.operator }),
                ...(condition.negate ? { negate: true } : {}),
              },
        ),
      })),
    },
  };
};
