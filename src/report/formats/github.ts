import type { Severity } from '../../model/index.js';
import type { Renderer } from './types.js';

const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

const COMMAND: Record<Severity, string> = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'notice' };

/** GitHub Actions workflow commands: annotations on the pull request's files. */
export const githubRenderer: Renderer = {
  name: 'github',
  description: 'GitHub Actions annotations (::error file=...,line=...::message).',
  render: (report) => {
    const lines = report.findings.map((finding) => {
      const properties = [
        `file=${escapeProperty(finding.location.file)}`,
        `line=${finding.location.line}`,
        `col=${finding.location.column}`,
        `title=${escapeProperty(`${finding.severity} ${finding.policyId}: ${finding.policyName}`)}`,
      ].join(',');
      return `::${COMMAND[finding.severity]} ${properties}::${escapeData(`${finding.message}. Fix: ${finding.remediation}`)}`;
    });
    for (const problem of report.problems) {
      const position = problem.line === undefined ? '' : `,line=${problem.line},col=${problem.column ?? 1}`;
      lines.push(
        `::${problem.level === 'error' ? 'error' : 'warning'} file=${escapeProperty(problem.file)}${position},title=kubeward input::${escapeData(problem.message)}`,
      );
    }
    lines.push(`kubeward: ${report.summary.findings} findings, ${report.summary.errors} input errors`);
    return [`${lines.join('\n')}\n`];
  },
};
