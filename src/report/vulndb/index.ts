import { REPORT_SCHEMA_VERSIONS, vulnerabilitySeverityRank, type DatabaseStatus, type VulnerabilityMatch } from '../../model/index.js';
import type { MatchProblem } from '../../vulndb/index.js';
import { jsonRenderer as json, type Renderer, type RendererRegistry } from '../renderer.js';

export const DB_STATUS_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.dbStatus;

/**
 * `db status`: what the database holds, as `--format json` prints it and a server returns it.
 * `schemaVersion` is this report's; `databaseSchema` is the SQLite file's own schema version.
 */
export interface DbStatusReport extends Omit<DatabaseStatus, 'schemaVersion'> {
  readonly schemaVersion: typeof DB_STATUS_SCHEMA_VERSION;
  readonly databaseSchema: number;
}

export const dbStatusReport = ({ schemaVersion, ...status }: DatabaseStatus): DbStatusReport => ({
  schemaVersion: DB_STATUS_SCHEMA_VERSION,
  databaseSchema: schemaVersion,
  ...status,
});

/** `db match`: one answer per Package URL asked (an unreadable purl answers with its error). */
export type DbMatchReport = readonly {
  readonly purl: string;
  readonly error?: string;
  readonly matches?: readonly VulnerabilityMatch[];
  readonly problems?: readonly MatchProblem[];
}[];

export const DB_FORMATS = ['table', 'json'] as const;
export type DbFormat = (typeof DB_FORMATS)[number];

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const statusTable: Renderer<DbStatusReport> = {
  name: 'table',
  description: 'ecosystems with record and package counts, KEV and EPSS, and the sources imported',
  render(status) {
    const lines = [
      `database:       ${status.path} (${megabytes(status.bytes)})`,
      `schema version: ${status.databaseSchema}`,
      `last update:    ${status.lastUpdate ?? 'never'}`,
      `records:        ${status.records}`,
      '',
      `${'ecosystem'.padEnd(14)} ${'records'.padStart(8)} ${'packages'.padStart(9)}  newest modified`,
      ...status.ecosystems.map(
        (row) => `${row.ecosystem.padEnd(14)} ${String(row.records).padStart(8)} ${String(row.packages).padStart(9)}  ${row.newestModified ?? '-'}`,
      ),
      '',
      `CISA KEV:       ${status.kev.entries} entries${status.kev.catalogVersion ? ` (catalogue ${status.kev.catalogVersion})` : ''}`,
      `EPSS:           ${status.epss.entries} scores${status.epss.date ? ` (${status.epss.date}${status.epss.modelVersion ? `, model ${status.epss.modelVersion}` : ''})` : ''}`,
    ];
    if (status.sources.length > 0) {
      lines.push('', 'sources:');
      for (const source of status.sources) lines.push(`  ${source.name} (${source.kind}, ${source.importedAt})`);
    }
    return `${lines.join('\n')}\n`;
  },
};

export const DB_STATUS_RENDERERS = {
  table: statusTable,
  json: json<DbStatusReport>('the status as data (see docs/vulndb.md)'),
} as const satisfies RendererRegistry<DbStatusReport, DbFormat>;

/** A package answer's vulnerabilities cannot be trusted when its version could not be read. */
export const uncheckedAnswer = (problems: readonly MatchProblem[]): boolean =>
  problems.some((problem) => problem.code === 'invalid-version' || problem.code === 'release-not-covered');

const matchesText = (purl: string, matches: readonly VulnerabilityMatch[], problems: readonly MatchProblem[]): string => {
  const unchecked = matches.length === 0 && uncheckedAnswer(problems);
  const lines = [
    `${purl}: ${unchecked ? 'not checked' : matches.length === 0 ? 'no known vulnerabilities' : `${matches.length} vulnerabilit${matches.length === 1 ? 'y' : 'ies'}`}`,
  ];
  for (const match of matches) {
    const extras = [match.kev ? `KEV since ${match.kev.dateAdded}` : '', match.epss ? `EPSS ${(match.epss.score * 100).toFixed(1)}%` : ''].filter(Boolean);
    const others = match.ids.filter((id) => id !== match.id);
    const about = [match.summary, others.length > 0 ? `(${others.join(', ')})` : undefined].filter(Boolean).join(' ');
    lines.push(
      `  ${match.id.padEnd(20)} ${match.severity.padEnd(8)} ${match.score === undefined ? '   ' : match.score.toFixed(1)}  fixed in ${match.fixedVersions.join(', ') || '(no fix)'}${extras.length ? `  [${extras.join(', ')}]` : ''}`,
      ...(about ? [`    ${about}`] : []),
      `    severity from ${match.severitySource.detail}`,
    );
  }
  for (const problem of problems) lines.push(`  warning: ${problem.message}`);
  return `${lines.join('\n')}\n`;
};

const matchTable: Renderer<DbMatchReport> = {
  name: 'table',
  description: 'each package with its vulnerabilities, fixed versions, KEV and EPSS',
  render: (results) =>
    results
      .map((result) => (result.error ? `${result.purl}: error: ${result.error}\n` : matchesText(result.purl, result.matches ?? [], result.problems ?? [])))
      .join(''),
};

export const DB_MATCH_RENDERERS = {
  table: matchTable,
  json: json<DbMatchReport>('one entry per Package URL: matches and problems, or the error'),
} as const satisfies RendererRegistry<DbMatchReport, DbFormat>;

/** The worst match of a whole answer, for the summary line. */
export const worstMatch = (results: DbMatchReport): VulnerabilityMatch | undefined =>
  results.flatMap((result) => result.matches ?? []).sort((a, b) => vulnerabilitySeverityRank(b.severity) - vulnerabilitySeverityRank(a.severity))[0];
