import type { Finding } from '../../model/index.js';
import type { Renderer } from './types.js';

const escapeXml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters even when escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

const caseName = (finding: Finding): string =>
  `${finding.object.kind} ${finding.object.namespace ? `${finding.object.namespace}/` : ''}${finding.object.name}${finding.container ? ` container ${finding.container}` : ''}`;

/**
 * JUnit XML: one test suite per policy that ran, one failing test case per finding, and a
 * passing case for a policy with no findings, so CI dashboards count checks, not just failures.
 */
export const junitRenderer: Renderer = {
  name: 'junit',
  description: 'JUnit XML: a suite per policy, a failing test case per finding.',
  render: (report) => {
    const byPolicy = new Map<string, Finding[]>();
    for (const finding of report.findings) {
      const list = byPolicy.get(finding.policyId);
      if (list) list.push(finding);
      else byPolicy.set(finding.policyId, [finding]);
    }
    const suites: string[] = [];
    let tests = 0;
    let failures = 0;
    for (const policy of report.policies) {
      const findings = byPolicy.get(policy.id) ?? [];
      const cases = findings.length
        ? findings.map(
            (finding) =>
              `    <testcase classname="${escapeXml(policy.id)}" name="${escapeXml(caseName(finding))}" file="${escapeXml(finding.location.file)}" line="${finding.location.line}">\n` +
              `      <failure type="${finding.severity}" message="${escapeXml(finding.message)}">${escapeXml(`${finding.location.file}:${finding.location.line}: ${finding.message}\nRemediation: ${finding.remediation}`)}</failure>\n` +
              '    </testcase>',
          )
        : [`    <testcase classname="${escapeXml(policy.id)}" name="${escapeXml(`${policy.name}: no violations`)}"/>`];
      tests += cases.length;
      failures += findings.length;
      suites.push(
        `  <testsuite name="${escapeXml(`${policy.id}: ${policy.name}`)}" tests="${cases.length}" failures="${findings.length}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
      );
    }
    const errors = report.problems.filter((problem) => problem.level === 'error');
    if (errors.length) {
      tests += errors.length;
      suites.push(
        `  <testsuite name="kubeward input" tests="${errors.length}" failures="0" errors="${errors.length}" skipped="0">\n` +
          errors
            .map(
              (problem) =>
                `    <testcase classname="input" name="${escapeXml(problem.file)}">\n      <error type="${problem.code}" message="${escapeXml(problem.message)}">${escapeXml(`${problem.file}:${problem.line ?? 1}: ${problem.message}`)}</error>\n    </testcase>`,
            )
            .join('\n') +
          '\n  </testsuite>',
      );
    }
    return [
      `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kubeward" tests="${tests}" failures="${failures}" errors="${errors.length}">\n`,
      ...suites.map((suite) => `${suite}\n`),
      '</testsuites>\n',
    ];
  },
};
