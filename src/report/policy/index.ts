import { largest, REPORT_SCHEMA_VERSIONS } from '../../model/index.js';
import type { Policy } from '../../policy/index.js';
import { jsonRenderer as json, type Renderer, type RendererRegistry } from '../renderer.js';

export const POLICY_EXPLAIN_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.policyExplain;

/** `policy explain`: one policy whole and whether the configuration turns it on. */
export type PolicyExplainReport = Policy & { readonly schemaVersion: typeof POLICY_EXPLAIN_SCHEMA_VERSION; readonly enabled: boolean };

export const policyExplainReport = (policy: Policy, enabled: boolean): PolicyExplainReport => ({
  schemaVersion: POLICY_EXPLAIN_SCHEMA_VERSION,
  ...policy,
  enabled,
});

/** `policy list`: every known policy, by id. */
export type PolicyListReport = readonly (Policy & { readonly enabled: boolean })[];

/** `policy fields`: one row per criteria field and target. */
export interface PolicyFieldRow {
  readonly target: string;
  readonly name: string;
  readonly level: string;
  readonly type: string;
  readonly description: string;
  readonly aliases: readonly string[];
}

export const POLICY_FORMATS = ['table', 'json'] as const;
export const POLICY_EXPLAIN_FORMATS = ['text', 'json'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];
export type PolicyExplainFormat = (typeof POLICY_EXPLAIN_FORMATS)[number];

const textTable = (rows: readonly (readonly string[])[]): string => {
  const widths =
    rows[0]?.map((_, column) =>
      largest(
        rows.map((row) => (row[column] ?? '').length),
        0,
      ),
    ) ?? [];
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
};

const referenceSummary = (policy: Policy): string => {
  const parts: string[] = [];
  const { references } = policy;
  if (references.cisKubernetes.length) parts.push(`CIS ${references.cisKubernetes.join(',')}`);
  if (references.podSecurityStandards) parts.push(`PSS ${references.podSecurityStandards.level}`);
  if (references.kubeLinter.length) parts.push(`kube-linter ${references.kubeLinter.join(',')}`);
  if (references.stackrox.length) parts.push('StackRox');
  return parts.join('; ');
};

const listTable: Renderer<PolicyListReport> = {
  name: 'table',
  description: 'one line per policy: severity, on or off, stages, target and references',
  render: (policies) =>
    textTable([
      ['ID', 'SEVERITY', 'ON', 'STAGES', 'TARGET', 'REFERENCES'],
      ...policies.map((policy) => [
        policy.id,
        policy.severity,
        policy.enabled ? 'yes' : 'no',
        policy.lifecycleStages.join(','),
        policy.target,
        referenceSummary(policy),
      ]),
    ]),
};

export const POLICY_LIST_RENDERERS = {
  table: listTable,
  json: json<PolicyListReport>('every policy with `enabled` (see docs/policies.md)'),
} as const satisfies RendererRegistry<PolicyListReport, PolicyFormat>;

const explainText: Renderer<PolicyExplainReport> = {
  name: 'text',
  description: 'the policy in words: what, why, how to fix, its criteria, references and exclusions',
  render(policy) {
    const lines = [
      `${policy.id}: ${policy.name}`,
      `severity ${policy.severity}; stages ${policy.lifecycleStages.join(', ')}; target ${policy.target}${policy.kinds.length ? ` (${policy.kinds.join(', ')})` : ''}; ${policy.enabled ? 'enabled' : 'disabled'}${policy.enforcement.length ? `; enforced at ${policy.enforcement.join(', ')}` : ''}`,
      `categories: ${policy.categories.join(', ') || '-'}`,
      '',
      policy.description,
      '',
      `Why: ${policy.rationale}`,
      '',
      `Fix: ${policy.remediation}`,
      '',
      'Criteria (sections are OR-ed, conditions within a section AND-ed):',
      ...policy.criteria.flatMap((section, index) => [
        `  section ${index + 1}${section.name ? ` (${section.name})` : ''}:`,
        ...section.conditions.map((condition) =>
          'cel' in condition
            ? `    - CEL (${condition.level}): ${condition.cel}`
            : `    - ${condition.negate ? 'NOT ' : ''}${condition.field} ${condition.operator === 'NOT_IN' ? 'not in' : condition.operator === 'AND' ? 'all of' : 'any of'} [${condition.values.join(', ')}]${(condition.except ?? []).length > 0 ? ` except [${condition.except.join(', ')}]` : ''}`,
        ),
      ]),
    ];
    const references = Object.entries(policy.references).filter(([, value]) => (Array.isArray(value) ? value.length > 0 : value !== undefined));
    if (references.length) {
      lines.push(
        '',
        'References:',
        ...references.map(([key, value]) => `  ${key}: ${Array.isArray(value) ? value.join(', ') : `${value.level} / ${value.control}`}`),
      );
    }
    if (policy.exclusions.length) lines.push('', 'Exclusions:', ...policy.exclusions.map((exclusion) => `  - ${JSON.stringify(exclusion)}`));
    lines.push('', `Defined in ${policy.origin}`);
    return `${lines.join('\n')}\n`;
  },
};

export const POLICY_EXPLAIN_RENDERERS = {
  text: explainText,
  json: json<PolicyExplainReport>('the policy as data, with schemaVersion and enabled'),
} as const satisfies RendererRegistry<PolicyExplainReport, PolicyExplainFormat>;

const fieldsTable: Renderer<readonly PolicyFieldRow[]> = {
  name: 'table',
  description: 'target, field, level, type and description',
  render: (rows) =>
    textTable([['TARGET', 'FIELD', 'LEVEL', 'TYPE', 'DESCRIPTION'], ...rows.map((row) => [row.target, row.name, row.level, row.type, row.description])]),
};

export const POLICY_FIELD_RENDERERS = {
  table: fieldsTable,
  json: json<readonly PolicyFieldRow[]>('one object per field with its aliases'),
} as const satisfies RendererRegistry<readonly PolicyFieldRow[], PolicyFormat>;
