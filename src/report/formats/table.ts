import { largest, SEVERITIES, type Finding, type ScanReport, type Severity } from '../../model/index.js';
import type { Renderer, RenderOptions } from './types.js';

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
};

const paint =
  (options: RenderOptions) =>
  (style: keyof typeof ANSI, text: string): string =>
    options.color ? `${ANSI[style]}${text}${ANSI.reset}` : text;

const SEVERITY_STYLE: Record<Severity, keyof typeof ANSI> = { CRITICAL: 'magenta', HIGH: 'red', MEDIUM: 'yellow', LOW: 'blue' };

const objectLabel = (finding: Finding): string =>
  `${finding.object.kind} ${finding.object.namespace ? `${finding.object.namespace}/` : ''}${finding.object.name}`;

/** Findings grouped by file, then object; one line each with severity, policy, message and line. */
const plural = (count: number, noun: string, plural = `${noun}s`): string => `${count} ${count === 1 ? noun : plural}`;

export const tableRenderer: Renderer = {
  name: 'table',
  description: 'Human-readable, grouped by file and object; coloured on a terminal.',
  render: (report: ScanReport, options: RenderOptions): string[] => {
    const style = paint(options);
    const lines: string[] = [];
    let file: string | undefined;
    let object: string | undefined;
    const width = largest(
      report.findings.map((finding) => finding.policyId.length),
      0,
    );
    for (const finding of report.findings) {
      if (finding.location.file !== file) {
        file = finding.location.file;
        object = undefined;
        lines.push('', style('bold', file));
      }
      const label = objectLabel(finding);
      if (label !== object) {
        object = label;
        lines.push(`  ${style('cyan', label)}`);
      }
      lines.push(
        `    ${style(SEVERITY_STYLE[finding.severity], finding.severity.padEnd(8))} ${finding.policyId.padEnd(width)}  ${finding.message} ${style('dim', `(line ${finding.location.line})`)}`,
      );
    }
    if (report.problems.length > 0) {
      lines.push('', style('bold', 'Input problems'));
      for (const problem of report.problems) {
        const where = `${problem.file}${problem.line === undefined ? '' : `:${problem.line}:${problem.column ?? 1}`}`;
        lines.push(`  ${style(problem.level === 'error' ? 'red' : 'yellow', problem.level.padEnd(8))} ${where}  ${problem.message}`);
      }
    }
    const { summary } = report;
    const counts = [...SEVERITIES]
      .reverse()
      .filter((severity) => summary.bySeverity[severity] > 0)
      .map((severity) => style(SEVERITY_STYLE[severity], `${summary.bySeverity[severity]} ${severity}`));
    const unknown = Object.entries(summary.unknownKinds).map(([kind, count]) => `${count} ${kind}`);
    lines.push(
      '',
      `${summary.findings === 0 ? style('bold', 'No findings') : style('bold', plural(summary.findings, 'finding'))}${counts.length ? ` (${counts.join(', ')})` : ''} from ${plural(summary.policies, 'policy', 'policies')} over ${plural(summary.objects, 'object')} (${plural(summary.workloads, 'workload')}) in ${plural(summary.files, 'file')}` +
        (summary.suppressed ? `; ${summary.suppressed} suppressed` : '') +
        (summary.belowSeverity ? `; ${summary.belowSeverity} below --severity not shown` : '') +
        (summary.errors ? `; ${summary.errors} input error${summary.errors === 1 ? '' : 's'}` : '') +
        (unknown.length ? `; not modelled: ${unknown.join(', ')}` : ''),
    );
    return [`${lines.join('\n').replace(/^\n/, '')}\n`];
  },
};
