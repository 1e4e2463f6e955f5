import type { Finding, PolicySummary, Severity } from '../../model/index.js';
import { LazyArray, prettyJson } from './json-stream.js';
import type { Renderer } from './types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note' };
/** GitHub code scanning ranks security alerts by this CVSS-like number. */
const SECURITY_SEVERITY: Record<Severity, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '3.0' };

const uri = (file: string): string => file.split('/').map(encodeURIComponent).join('/');

const referenceLines = (references: Readonly<Record<string, unknown>>): string[] =>
  Object.entries(references).flatMap(([key, value]) => {
    if (Array.isArray(value)) return value.length ? [`- ${key}: ${value.join(', ')}`] : [];
    if (value && typeof value === 'object') return [`- ${key}: ${Object.values(value).join(' / ')}`];
    return [];
  });

const rule = (policy: PolicySummary) => {
  const references = referenceLines(policy.references);
  return {
    id: policy.id,
    name: policy.name,
    shortDescription: { text: policy.name },
    fullDescription: { text: policy.description },
    help: {
      text: `${policy.rationale}\n\nRemediation: ${policy.remediation}`,
      markdown: [
        `**${policy.name}** (${policy.severity})`,
        '',
        policy.description,
        '',
        `**Why:** ${policy.rationale}`,
        '',
        `**Fix:** ${policy.remediation}`,
        ...(references.length ? ['', '**References:**', ...references] : []),
      ].join('\n'),
    },
    defaultConfiguration: { level: LEVEL[policy.severity] },
    properties: {
      tags: ['security', 'kubernetes', ...policy.categories],
      'security-severity': SECURITY_SEVERITY[policy.severity],
      precision: 'very-high',
      'problem.severity': LEVEL[policy.severity] === 'note' ? 'recommendation' : LEVEL[policy.severity],
    },
  };
};

const qualifiedName = (finding: Finding): string =>
  [finding.object.namespace, finding.object.kind, finding.object.name, finding.container].filter(Boolean).join('/');

/** SARIF 2.1.0: one rule per policy that ran, one result per finding (suppressed ones marked so). */
export const sarifRenderer: Renderer = {
  name: 'sarif',
  description: 'SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.',
  render: function* (report) {
    const ruleIndex = new Map(report.policies.map((policy, index) => [policy.id, index]));
    const result = (finding: Finding) => ({
      ruleId: finding.policyId,
      ruleIndex: ruleIndex.get(finding.policyId) ?? 0,
      level: LEVEL[finding.severity],
      message: { text: `${finding.message}. ${finding.remediation}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uri(finding.location.file) },
            region: { startLine: finding.location.line, startColumn: finding.location.column },
          },
          logicalLocations: [{ fullyQualifiedName: qualifiedName(finding), kind: 'object' }],
        },
      ],
      partialFingerprints: { 'kubewardFinding/v1': `${finding.policyId}|${qualifiedName(finding)}` },
      ...(finding.suppressed
        ? {
            suppressions: [
              {
                kind: finding.suppressed.by === 'annotation' ? 'inSource' : 'external',
                ...(finding.suppressed.reason ? { justification: finding.suppressed.reason } : {}),
              },
            ],
          }
        : {}),
    });
    const log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'kubeward',
              version: report.tool.version,
              semanticVersion: report.tool.version,
              informationUri: 'https://github.com/kubeward/kubeward',
              rules: report.policies.map(rule),
            },
          },
          invocations: [
            {
              executionSuccessful: report.summary.errors === 0,
              toolExecutionNotifications: report.problems.map((problem) => ({
                level: problem.level === 'error' ? 'error' : 'warning',
                message: { text: problem.message },
                descriptor: { id: problem.code },
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: uri(problem.file) },
                      ...(problem.line === undefined ? {} : { region: { startLine: problem.line, startColumn: problem.column ?? 1 } }),
                    },
                  },
                ],
              })),
            },
          ],
          results: new LazyArray(report.findings.length + report.suppressed.length, function* () {
            for (const finding of report.findings) yield result(finding);
            for (const finding of report.suppressed) yield result(finding);
          }),
        },
      ],
    };
    yield* prettyJson(log);
    yield '\n';
  },
};
