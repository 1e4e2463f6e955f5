import { REPORT_SCHEMA_VERSIONS } from '../../model/index.js';
import type { ImageRisk, RiskProblem, VulnerabilityRisk, WorkloadRisk } from '../../risk/index.js';
import { renderRiskHtml } from './html.js';
import type { RendererRegistry } from '../renderer.js';

export const RISK_REPORT_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.risk;
export const RISK_RANKINGS = ['workload', 'image', 'cve'] as const;
export type RiskRanking = (typeof RISK_RANKINGS)[number];

/** One ranking, as the command computed it, with what the renderers need around it. */
export type RiskReport = { readonly problems: readonly RiskProblem[]; readonly generated: Date; readonly toolVersion: string } & (
  | { readonly by: 'workload'; readonly entries: readonly WorkloadRisk[] }
  | { readonly by: 'image'; readonly entries: readonly ImageRisk[] }
  | { readonly by: 'cve'; readonly entries: readonly VulnerabilityRisk[] }
);

/** A ranked entry as text and HTML show it: what, how much, why in one line, then the reasons in groups. */
export interface RankedRow {
  readonly title: string;
  readonly score: string;
  readonly summary: string;
  readonly groups: readonly { readonly heading: string; readonly lines: readonly string[] }[];
  readonly note?: string;
}

const multiplierGroups = (factors: WorkloadRisk['factors']): RankedRow['groups'] =>
  factors.filter((factor) => factor.multiplier > 1).map((factor) => ({ heading: `×${factor.multiplier.toFixed(2)} ${factor.name}`, lines: factor.evidence }));

const more = (count: number, listed: number): string[] => (count > listed ? [`and ${count - listed} more`] : []);

/** Every ranking as rows, for the renderers that show rows. */
export const rankedRows = (report: RiskReport): RankedRow[] => {
  switch (report.by) {
    case 'workload':
      return report.entries.map((entry) => {
        const unscanned = entry.factors.find((factor) => factor.id === 'image-not-scanned');
        return {
          title: entry.workload,
          score: entry.score.toFixed(2),
          summary: entry.summary,
          groups: multiplierGroups(entry.factors),
          ...(unscanned ? { note: unscanned.evidence.join('; ') } : {}),
        };
      });
    case 'image':
      return report.entries.map((entry) => ({
        title: entry.image,
        score: entry.workloadScore.toFixed(2),
        summary: entry.summary,
        groups: [
          {
            heading: 'Run by',
            lines:
              entry.workloads.length > 0
                ? [...entry.workloads.map((user) => `${user.workload} (risk ${user.score.toFixed(2)})`), ...more(entry.workloadCount, entry.workloads.length)]
                : ['no workload in the inputs'],
          },
          ...multiplierGroups(entry.factors),
        ],
        ...(entry.scanned ? {} : { note: 'image not scanned' }),
      }));
    case 'cve':
      return report.entries.map((entry) => ({
        title: entry.id,
        score: entry.score.toFixed(2),
        summary: entry.reasons.join('; '),
        groups: [
          {
            heading: 'Packages',
            lines: entry.packages.map(
              (found) =>
                `${found.name} ${found.version} (${found.ecosystem})${found.fixedVersions.length > 0 ? ` fixed in ${found.fixedVersions.join(', ')}` : ', no fix yet'}`,
            ),
          },
          { heading: 'Images', lines: entry.images },
          {
            heading: 'Workloads',
            lines:
              entry.workloads.length > 0
                ? [...entry.workloads.map((user) => `${user.workload} (risk ${user.score.toFixed(2)})`), ...more(entry.workloadCount, entry.workloads.length)]
                : ['none in the inputs'],
          },
        ],
      }));
  }
};

const HEADINGS: Readonly<Record<RiskRanking, { readonly noun: string; readonly column: string; readonly score: string }>> = {
  workload: { noun: 'workloads', column: 'Workload', score: 'Risk' },
  image: { noun: 'images', column: 'Image', score: 'Workload risk' },
  cve: { noun: 'vulnerabilities', column: 'Vulnerability', score: 'Priority' },
};

const txt = (report: RiskReport): string => {
  const lines: string[] = [];
  rankedRows(report).forEach((row, index) => {
    lines.push(`${String(index + 1).padStart(3)}. ${row.title}  ${HEADINGS[report.by].score.toLowerCase()} ${row.score}`);
    if (report.by === 'cve') lines.push(`       ${row.summary}`);
    else for (const group of row.groups) lines.push(`       ${group.heading}: ${group.lines.join('; ')}`);
    if (row.note) lines.push(`       (${row.note})`);
  });
  if (lines.length === 0) lines.push(`no ${HEADINGS[report.by].noun} to rank`);
  return `${lines.join('\n')}\n`;
};

const json = (report: RiskReport): string => {
  const key = report.by === 'workload' ? 'workloads' : report.by === 'image' ? 'images' : 'vulnerabilities';
  return `${JSON.stringify({ schemaVersion: RISK_REPORT_SCHEMA_VERSION, by: report.by, [key]: report.entries, problems: report.problems }, null, 2)}\n`;
};

/** The risk command's output formats: pure functions from a ranking to text. */
export const RISK_RENDERERS = {
  txt: { name: 'txt', description: 'ranked list with the factors and their evidence', render: txt },
  json: { name: 'json', description: 'the ranking as data (docs/risk.md)', render: json },
  html: {
    name: 'html',
    description: 'self-contained HTML report',
    render: (report: RiskReport) =>
      renderRiskHtml(rankedRows(report), { ...HEADINGS[report.by], generated: report.generated, toolVersion: report.toolVersion, problems: report.problems }),
  },
} as const satisfies RendererRegistry<RiskReport>;
export type RiskFormat = keyof typeof RISK_RENDERERS;
export const RISK_FORMATS = Object.keys(RISK_RENDERERS) as RiskFormat[];
