import type { LifecycleStage, Severity } from '../model/index.js';
import { findField } from './fields/index.js';
import { parsePolicyDocument, type PolicyDocument } from './schema.js';

/** A StackRox policy as exported by roxctl or the UI (proto/storage/policy.proto, JSON names). */
interface StackRoxPolicyGroup {
  readonly fieldName?: string;
  readonly booleanOperator?: string;
  readonly negate?: boolean;
  readonly values?: readonly { readonly value?: string }[];
}

interface StackRoxPolicy {
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly rationale?: string;
  readonly remediation?: string;
  readonly disabled?: boolean;
  readonly categories?: readonly string[];
  readonly lifecycleStages?: readonly string[];
  readonly severity?: string;
  readonly enforcementActions?: readonly string[];
  readonly scope?: readonly StackRoxScope[] | null;
  readonly exclusions?: readonly StackRoxExclusion[] | null;
  readonly policySections?: readonly {
    readonly sectionName?: string;
    readonly policyGroups?: readonly StackRoxPolicyGroup[];
  }[];
  readonly mitreAttackVectors?: readonly { readonly tactic?: string; readonly techniques?: readonly string[] }[] | null;
}

interface StackRoxScope {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly label?: { readonly key?: string; readonly value?: string } | null;
}

interface StackRoxExclusion {
  readonly name?: string;
  readonly deployment?: { readonly name?: string; readonly scope?: StackRoxScope | null } | null;
  readonly image?: { readonly name?: string } | null;
  readonly expiration?: string | null;
}

export interface ConvertedPolicy {
  readonly document: PolicyDocument & { metadata: { name: string } };
  /** What changed in translation (dropped cluster scopes, renamed values...). */
  readonly notes: string[];
}

export interface StackRoxConversion {
  readonly converted: ConvertedPolicy[];
  readonly skipped: { readonly name: string; readonly reason: string }[];
}

const SEVERITY: Record<string, Severity> = {
  LOW_SEVERITY: 'LOW',
  MEDIUM_SEVERITY: 'MEDIUM',
  HIGH_SEVERITY: 'HIGH',
  CRITICAL_SEVERITY: 'CRITICAL',
};

const ENFORCEMENT: Record<string, LifecycleStage> = {
  FAIL_BUILD_ENFORCEMENT: 'BUILD',
  SCALE_TO_ZERO_ENFORCEMENT: 'DEPLOY',
  UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT: 'DEPLOY',
  FAIL_DEPLOYMENT_CREATE_ENFORCEMENT: 'DEPLOY',
  FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT: 'DEPLOY',
  KILL_POD_ENFORCEMENT: 'RUNTIME',
  FAIL_KUBE_REQUEST_ENFORCEMENT: 'RUNTIME',
};

/** StackRox spells some enum values differently from the Kubernetes API our fields report. */
const VALUE_SPELLINGS: Record<string, Record<string, string>> = {
  'Seccomp Profile Type': { UNCONFINED: 'Unconfined', RUNTIME_DEFAULT: 'RuntimeDefault', LOCALHOST: 'Localhost' },
  'Mount Propagation': { NONE: 'None', HOST_TO_CONTAINER: 'HostToContainer', BIDIRECTIONAL: 'Bidirectional' },
};

/** Fields that need data Kubeward does not keep yet (scan history, signatures, runtime events). */
const NOT_YET =
  /^(NVD CVSS|Days Since|Image Scan Age|Image Signature|Process |Unexpected|Kubernetes |Source IP|User Agent|Is Impersonated|File |Minimum RBAC)/i;

/** StackRox's vulnerability severities, in order, as Kubeward's. */
const STACKROX_SEVERITIES: readonly [string, string][] = [
  ['LOW', 'LOW'],
  ['MODERATE', 'MEDIUM'],
  ['IMPORTANT', 'HIGH'],
  ['CRITICAL', 'CRITICAL'],
];

/** `>= IMPORTANT` → the severities it admits (`HIGH`, `CRITICAL`). */
const severityValues = (value: string): string[] => {
  const match = /^\s*(>=|<=|>|<|=)?\s*([A-Z_]+?)(?:_VULNERABILITY_SEVERITY)?\s*$/i.exec(value);
  const index = STACKROX_SEVERITIES.findIndex(([name]) => name === match?.[2]?.toUpperCase());
  if (!match || index < 0) return [value];
  const admitted = STACKROX_SEVERITIES.filter((_, position) => {
    switch (match[1]) {
      case '>=':
        return position >= index;
      case '>':
        return position > index;
      case '<=':
        return position <= index;
      case '<':
        return position < index;
      default:
        return position === index;
    }
  });
  return admitted.map(([, ours]) => ours);
};

/**
 * StackRox matches `Fixed By` with `CVSS` or `Severity` of one section on the same vulnerability;
 * Kubeward's fields match each on its own, so the pair becomes one field that means the same.
 */
const combineFixable = (groups: readonly StackRoxPolicyGroup[], notes: string[]): readonly StackRoxPolicyGroup[] => {
  const fixedBy = groups.find((group) => group.fieldName === 'Fixed By');
  const partner = groups.find((group) => group.fieldName === 'CVSS' || group.fieldName === 'Severity');
  if (!fixedBy || !partner || !(fixedBy.values ?? []).every((entry) => entry.value === '.*')) return groups;
  notes.push(`Fixed By and ${partner.fieldName} combined into Fixable ${partner.fieldName} (one vulnerability must meet both, as in StackRox)`);
  return groups.filter((group) => group !== fixedBy).map((group) => (group === partner ? { ...group, fieldName: `Fixable ${partner.fieldName}` } : group));
};

/**
 * A policy id from a name: `stackrox-` and the name as a DNS label of at most 63 characters, cut
 * at a word boundary. The prefix keeps imported policies apart from the built-in ones of the same
 * name (StackRox's "Privileged Container" and Kubeward's `privileged-container`).
 */
const slug = (name: string): string => {
  const full = `stackrox-${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')}`.replace(/-+$/, '');
  return full.length <= 63 ? full : full.slice(0, 64).replace(/-[^-]*$/, '');
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const scopeToSelector = (scope: StackRoxScope, notes: string[]): Record<string, unknown> => {
  if (scope.cluster) notes.push(`cluster scope ${JSON.stringify(scope.cluster)} dropped (manifests carry no cluster)`);
  return {
    ...(scope.namespace ? { namespace: scope.namespace } : {}),
    ...(scope.label?.key ? { label: { key: scope.label.key, ...(scope.label.value ? { value: scope.label.value } : {}) } } : {}),
  };
};

const convertOne = (policy: StackRoxPolicy, usedIds: Set<string>): ConvertedPolicy | { reason: string } => {
  const name = policy.name ?? '(unnamed)';
  const stages = (policy.lifecycleStages ?? []).filter((stage): stage is LifecycleStage => ['BUILD', 'DEPLOY', 'RUNTIME'].includes(stage));
  const manifestStages = stages.filter((stage): stage is 'BUILD' | 'DEPLOY' => stage !== 'RUNTIME');
  if (manifestStages.length === 0) return { reason: 'runtime-only policy (process, network or audit events); the runtime engine is not built yet' };
  const notes: string[] = [];
  const criteria = [];
  for (const [sectionIndex, section] of (policy.policySections ?? []).entries()) {
    const conditions = [];
    for (const group of combineFixable(section.policyGroups ?? [], notes)) {
      const fieldName = group.fieldName ?? '';
      if (NOT_YET.test(fieldName))
        return { reason: `field "${fieldName}" needs scan history, image signatures, runtime events or RBAC analysis, which Kubeward does not keep yet` };
      const field = findField('Workload', fieldName);
      if (!field) return { reason: `field "${fieldName}" has no Kubeward equivalent` };
      const spellings = VALUE_SPELLINGS[field.name] ?? {};
      const values = (group.values ?? []).flatMap((entry) => {
        const value = entry.value ?? '';
        // StackRox's Image Age value is a minimum: "90" alerts on images older than 90 days.
        if (field.name === 'Image Age' && /^\d+$/.test(value.trim())) return [`> ${value.trim()}`];
        if (/Severity$/.test(field.name)) return severityValues(value);
        return [spellings[value.toUpperCase()] ?? value];
      });
      const operator: 'AND' | 'OR' = group.booleanOperator === 'AND' ? 'AND' : 'OR';
      conditions.push({ field: field.name, values, ...(operator === 'AND' ? { operator } : {}), ...(group.negate ? { negate: true } : {}) });
      if (/Memory (Request|Limit)/.test(field.name)) notes.push(`${field.name} values are read as MiB`);
    }
    if (conditions.length === 0) return { reason: `section ${sectionIndex + 1} has no criteria` };
    criteria.push({ ...(section.sectionName ? { name: section.sectionName } : {}), conditions });
  }
  if (criteria.length === 0) return { reason: 'no policy sections' };
  if (stages.includes('RUNTIME')) notes.push('RUNTIME stage dropped; the policy runs at BUILD/DEPLOY');
  let id = slug(name);
  for (let counter = 2; usedIds.has(id); counter++) id = `${slug(name).slice(0, 58)}-${counter}`;
  usedIds.add(id);
  const exclusions = (policy.exclusions ?? []).flatMap((exclusion) => {
    const out: Record<string, unknown> = { ...(exclusion.name ? { reason: exclusion.name } : {}) };
    if (exclusion.deployment?.name) out.name = escapeRegExp(exclusion.deployment.name);
    if (exclusion.deployment?.scope) Object.assign(out, scopeToSelector(exclusion.deployment.scope, notes));
    if (exclusion.image?.name) out.image = exclusion.image.name;
    if (exclusion.expiration) out.expires = exclusion.expiration;
    return Object.keys(out).some((key) => key !== 'reason') ? [out] : [];
  });
  const requested = [...new Set((policy.enforcementActions ?? []).flatMap((action) => ENFORCEMENT[action] ?? []))];
  const enforcement = requested.filter((stage): stage is 'BUILD' | 'DEPLOY' => stage !== 'RUNTIME' && manifestStages.includes(stage));
  for (const stage of requested.filter((stage) => !(enforcement as string[]).includes(stage))) {
    notes.push(`${stage} enforcement dropped: the policy's lifecycle stages (${manifestStages.join(', ') || 'none'}) do not include ${stage}`);
  }
  const document = {
    apiVersion: 'kubeward.io/v1' as const,
    kind: 'Policy' as const,
    metadata: {
      name: id,
      annotations: { 'kubeward.io/imported-from': 'stackrox', ...(policy.id ? { 'kubeward.io/stackrox-id': policy.id } : {}) },
    },
    spec: {
      name,
      description: policy.description || name,
      rationale: policy.rationale || '(none given in the StackRox policy)',
      remediation: policy.remediation || '(none given in the StackRox policy)',
      severity: SEVERITY[policy.severity ?? ''] ?? 'MEDIUM',
      categories: [...(policy.categories ?? [])],
      lifecycleStages: manifestStages,
      ...(policy.disabled ? { disabled: true } : {}),
      scope: (policy.scope ?? []).map((scope) => scopeToSelector(scope, notes)).filter((selector) => Object.keys(selector).length > 0),
      exclusions,
      enforcement,
      references: {
        stackrox: [name],
        mitreAttack: (policy.mitreAttackVectors ?? []).flatMap((vector) => vector.techniques ?? []),
      },
      criteria,
    },
  };
  // The converted document must pass our own validation, or it is not converted.
  const check = parsePolicyDocument(document, name);
  if ('problems' in check)
    return { reason: `converted policy is invalid: ${check.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}` };
  return { document, notes: [...new Set(notes)] };
};

/** Converts a StackRox export (`{"policies": [...]}`, a list, or one policy) into Kubeward Policy documents. */
export const convertStackRoxExport = (exported: unknown): StackRoxConversion => {
  const list: unknown[] = Array.isArray(exported)
    ? exported
    : typeof exported === 'object' && exported !== null && Array.isArray((exported as { policies?: unknown }).policies)
      ? (exported as { policies: unknown[] }).policies
      : [exported];
  const converted: ConvertedPolicy[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const usedIds = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) {
      skipped.push({ name: '(not an object)', reason: 'export entries must be policy objects' });
      continue;
    }
    const policy = entry as StackRoxPolicy;
    const result = convertOne(policy, usedIds);
    if ('reason' in result) skipped.push({ name: policy.name ?? '(unnamed)', reason: result.reason });
    else converted.push(result);
  }
  return { converted, skipped };
};
