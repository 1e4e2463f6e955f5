import {
  SCAN_REPORT_SCHEMA_VERSION,
  SEVERITIES,
  KNOWN_KINDS,
  WORKLOAD_KINDS,
  severityRank,
  type Finding,
  type InputProblem,
  type KubeObject,
  type PolicySummary,
  type ScanReport,
  type Severity,
} from '../model/index.js';
import type { Policy } from '../policy/index.js';

/** Objects per kind, for the report. */
export const countKinds = (objects: Iterable<KubeObject>): Record<string, number> => {
  const kinds: Record<string, number> = {};
  for (const object of objects) kinds[object.kind] = (kinds[object.kind] ?? 0) + 1;
  return kinds;
};

export const policySummary = (policy: Policy): PolicySummary => ({
  id: policy.id,
  name: policy.name,
  severity: policy.severity,
  description: policy.description,
  rationale: policy.rationale,
  remediation: policy.remediation,
  categories: policy.categories,
  enforcement: policy.enforcement,
  references: policy.references as unknown as Record<string, unknown>,
});

export interface ReportInput {
  readonly version: string;
  readonly inputs: readonly string[];
  readonly files: number;
  readonly documents: number;
  /** Objects read, per kind. */
  readonly kinds: Readonly<Record<string, number>>;
  readonly findings: readonly Finding[];
  readonly problems: readonly InputProblem[];
  readonly policies: readonly Policy[];
  /** Findings below this severity are left out of the report. */
  readonly minimumSeverity: Severity;
}

const byLocation = (a: Finding, b: Finding): number =>
  a.location.file.localeCompare(b.location.file) ||
  a.source.documentIndex - b.source.documentIndex ||
  a.location.line - b.location.line ||
  severityRank(b.severity) - severityRank(a.severity) ||
  a.policyId.localeCompare(b.policyId) ||
  (a.container ?? '').localeCompare(b.container ?? '');

/** Assembles the report every output format renders: findings sorted by file and line. */
export const buildScanReport = (input: ReportInput): ScanReport => {
  const threshold = severityRank(input.minimumSeverity);
  const visible = input.findings.filter((finding) => severityRank(finding.severity) >= threshold);
  const findings = visible.filter((finding) => !finding.suppressed).sort(byLocation);
  const suppressed = visible.filter((finding) => finding.suppressed).sort(byLocation);
  const kinds = Object.fromEntries(Object.entries(input.kinds).sort(([a], [b]) => a.localeCompare(b)));
  const unknownKinds = Object.fromEntries(Object.entries(kinds).filter(([kind]) => !KNOWN_KINDS.has(kind)));
  const count = (names: Iterable<string>): number => [...names].reduce((total, kind) => total + (kinds[kind] ?? 0), 0);
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;
  return {
    schemaVersion: SCAN_REPORT_SCHEMA_VERSION,
    tool: { name: 'kubeward', version: input.version },
    inputs: input.inputs,
    summary: {
      files: input.files,
      documents: input.documents,
      objects: count(Object.keys(kinds)),
      workloads: count(WORKLOAD_KINDS),
      kinds,
      unknownKinds,
      policies: input.policies.length,
      findings: findings.length,
      bySeverity,
      suppressed: suppressed.length,
      belowSeverity: input.findings.filter((finding) => !finding.suppressed).length - visible.filter((finding) => !finding.suppressed).length,
      errors: input.problems.filter((problem) => problem.level === 'error').length,
      warnings: input.problems.filter((problem) => problem.level === 'warning').length,
    },
    findings,
    suppressed,
    problems: input.problems,
    policies: input.policies.map(policySummary),
  };
};
