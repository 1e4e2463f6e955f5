import { REPORT_SCHEMA_VERSIONS, type PolicyRule, type Subject } from '../../model/index.js';
import { subjectId, type AccessRequest, type Grant, type PermissionLevel, type SubjectAssessment } from '../../rbac/index.js';
import type { Renderer, RendererRegistry } from '../renderer.js';

export const RBAC_REPORT_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.rbac;

/** The three RBAC questions and their answers, as `--format json` prints them and a server returns them. */
export type RbacReport =
  | {
      readonly kind: 'who-can';
      readonly request: AccessRequest;
      /** The verb and resource as asked (`get secrets`, `get /healthz`). */ readonly asked: string;
      readonly subjects: readonly { readonly subject: Subject; readonly grants: readonly Grant[] }[];
    }
  | { readonly kind: 'review'; readonly subjects: readonly SubjectAssessment[] }
  | {
      readonly kind: 'explain';
      readonly subject: Subject;
      readonly level: PermissionLevel;
      readonly flags: SubjectAssessment['flags'];
      readonly grants: readonly Grant[];
    };

const ruleText = (rule: PolicyRule): string =>
  rule.nonResourceURLs.length > 0
    ? `${rule.verbs.join(',')} ${rule.nonResourceURLs.join(',')}`
    : `${rule.verbs.join(',')} ${rule.resources.join(',')}${rule.apiGroups.some((group) => group !== '') ? ` (API groups ${rule.apiGroups.map((group) => group || 'core').join(', ')})` : ''}${rule.resourceNames.length ? ` (only ${rule.resourceNames.join(', ')})` : ''}`;

const chain = (grant: Grant): string =>
  `${grant.binding.kind} ${grant.binding.namespace ? `${grant.binding.namespace}/` : ''}${grant.binding.name} → ${grant.role.kind} ${grant.role.name}${grant.role.builtIn ? ' (built-in)' : ''}${grant.aggregatedFrom ? ` ⊃ ${grant.aggregatedFrom}` : ''} → ${ruleText(grant.rule)} [${grant.scope === 'cluster' ? 'cluster-wide' : `namespace ${grant.scope}`}]`;

const grantJson = (grant: Grant) => ({
  subject: grant.subject,
  binding: grant.binding,
  role: grant.role,
  scope: grant.scope,
  rule: grant.rule,
  ...(grant.aggregatedFrom ? { aggregatedFrom: grant.aggregatedFrom } : {}),
});

const scopeText = (scope: string): string => (scope === 'cluster' ? 'cluster-wide' : `namespace ${scope}`);

const requestText = (request: AccessRequest, asked: string): string =>
  `${asked}${request.name ? ` ${request.name}` : ''}${request.path === undefined ? (request.namespace ? ` in namespace ${request.namespace}` : ' cluster-wide') : ''}`;

const txt: Renderer<RbacReport> = {
  name: 'txt',
  description: 'the answer with the chain of bindings behind each permission',
  render(report) {
    const lines: string[] = [];
    if (report.kind === 'who-can') {
      const what = requestText(report.request, report.asked);
      lines.push(report.subjects.length === 0 ? `Nobody in the inputs can ${what}` : `${report.subjects.length} subjects can ${what}:`);
      for (const entry of report.subjects) {
        lines.push(`  ${subjectId(entry.subject)}`);
        for (const grant of entry.grants) lines.push(`    ${chain(grant)}`);
      }
    } else if (report.kind === 'review') {
      for (const entry of report.subjects) {
        lines.push(`${entry.level.padEnd(22)} ${subjectId(entry.subject)}`);
        for (const flag of entry.flags) lines.push(`  ${flag.id}: ${flag.title} [${scopeText(flag.scope)}]`, `    ${chain(flag.evidence[0] as Grant)}`);
      }
    } else {
      lines.push(
        report.grants.length === 0
          ? `${subjectId(report.subject)} holds no permission in the inputs`
          : `${subjectId(report.subject)} holds ${report.grants.length} rules (permission level: ${report.level}):`,
        ...report.grants.map((grant) => `  ${grant.subject.kind === 'Group' ? `(as member of ${grant.subject.name}) ` : ''}${chain(grant)}`),
      );
      if (report.flags.length > 0)
        lines.push('Dangerous permissions:', ...report.flags.map((flag) => `  ${flag.id}: ${flag.title} [${scopeText(flag.scope)}]`));
    }
    return `${lines.join('\n')}\n`;
  },
};

const json: Renderer<RbacReport> = {
  name: 'json',
  description: 'the answer as data (docs/rbac.md)',
  render(report) {
    const body =
      report.kind === 'who-can'
        ? { request: report.request, subjects: report.subjects.map((entry) => ({ subject: entry.subject, grants: entry.grants.map(grantJson) })) }
        : report.kind === 'review'
          ? {
              subjects: report.subjects.map((entry) => ({
                subject: entry.subject,
                level: entry.level,
                flags: entry.flags.map((flag) => ({ id: flag.id, title: flag.title, scope: flag.scope, evidence: flag.evidence.map(grantJson) })),
              })),
            }
          : {
              subject: report.subject,
              level: report.level,
              flags: report.flags.map((flag) => ({ id: flag.id, title: flag.title, scope: flag.scope })),
              grants: report.grants.map(grantJson),
            };
    return `${JSON.stringify({ schemaVersion: RBAC_REPORT_SCHEMA_VERSION, ...body }, null, 2)}\n`;
  },
};

export const RBAC_RENDERERS = { txt, json } as const satisfies RendererRegistry<RbacReport>;
export type RbacFormat = keyof typeof RBAC_RENDERERS;
export const RBAC_FORMATS = Object.keys(RBAC_RENDERERS) as RbacFormat[];
