import type { KevEntry } from '../../model/index.js';

/** A feed file that could not be read, as data. */
export interface FeedProblem {
  readonly message: string;
  readonly line?: number;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/**
 * CISA's Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`):
 * `{catalogVersion, vulnerabilities: [{cveID, dateAdded, dueDate, knownRansomwareCampaignUse, ...}]}`.
 * Entries without a CVE id or date are counted, not fatal.
 */
export const parseKev = (text: string): { entries: KevEntry[]; catalogVersion?: string; skipped: number } | FeedProblem => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { message: `not JSON: ${(error as Error).message}` };
  }
  const catalog = value as { catalogVersion?: unknown; vulnerabilities?: unknown };
  if (typeof catalog !== 'object' || catalog === null || !Array.isArray(catalog.vulnerabilities)) {
    return { message: 'not a KEV catalogue: expected an object with a "vulnerabilities" list' };
  }
  const entries: KevEntry[] = [];
  let skipped = 0;
  const text_ = (item: Record<string, unknown>, key: string): string | undefined =>
    typeof item[key] === 'string' && item[key] !== '' ? (item[key] as string) : undefined;
  for (const item of catalog.vulnerabilities as unknown[]) {
    if (typeof item !== 'object' || item === null) {
      skipped++;
      continue;
    }
    const record = item as Record<string, unknown>;
    const cve = text_(record, 'cveID');
    const dateAdded = text_(record, 'dateAdded');
    if (!cve || !CVE.test(cve) || !dateAdded) {
      skipped++;
      continue;
    }
    const optional: [keyof KevEntry, string | undefined][] = [
      ['dueDate', text_(record, 'dueDate')],
      ['knownRansomwareCampaignUse', text_(record, 'knownRansomwareCampaignUse')],
      ['vendorProject', text_(record, 'vendorProject')],
      ['product', text_(record, 'product')],
      ['vulnerabilityName', text_(record, 'vulnerabilityName')],
    ];
    entries.push({ cve, dateAdded, ...Object.fromEntries(optional.filter(([, found]) => found !== undefined)) } as KevEntry);
  }
  // A catalogue in which nothing reads (renamed fields, another format) must not replace a good one with nothing.
  if (entries.length === 0 && skipped > 0) return { message: `none of its ${skipped} entries has a cveID and a dateAdded: not the KEV format this reads` };
  return { entries, ...(typeof catalog.catalogVersion === 'string' ? { catalogVersion: catalog.catalogVersion } : {}), skipped };
};

export interface EpssRow {
  readonly cve: string;
  readonly score: number;
  readonly percentile: number;
}

/**
 * FIRST's daily EPSS file (`epss_scores-YYYY-MM-DD.csv`, often gzipped): an optional comment line
 * `#model_version:v2025.03.14,score_date:2025-03-15T00:00:00+0000`, a header `cve,epss,percentile`,
 * then one row per CVE. Rows that do not parse are counted.
 */
export const parseEpss = (text: string): { rows: EpssRow[]; modelVersion?: string; date?: string; skipped: number } | FeedProblem => {
  const lines = text.split(/\r?\n/);
  let index = 0;
  let modelVersion: string | undefined;
  let date: string | undefined;
  if (lines[0]?.startsWith('#')) {
    for (const part of lines[0].slice(1).split(',')) {
      const colon = part.indexOf(':');
      const key = part.slice(0, colon).trim();
      const value = part.slice(colon + 1).trim();
      if (key === 'model_version') modelVersion = value;
      if (key === 'score_date') date = value;
    }
    index++;
  }
  const header = (lines[index] ?? '').split(',').map((column) => column.trim().toLowerCase());
  const cveColumn = header.indexOf('cve');
  const scoreColumn = header.indexOf('epss');
  const percentileColumn = header.indexOf('percentile');
  if (cveColumn < 0 || scoreColumn < 0 || percentileColumn < 0)
    return { message: 'not an EPSS file: expected a header with cve, epss and percentile', line: index + 1 };
  const rows: EpssRow[] = [];
  let skipped = 0;
  for (const line of lines.slice(index + 1)) {
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const cve = cells[cveColumn]?.trim() ?? '';
    const scoreText = cells[scoreColumn]?.trim() ?? '';
    const percentileText = cells[percentileColumn]?.trim() ?? '';
    // Number('') is 0: an empty cell must not become a score nobody published.
    const score = scoreText === '' ? Number.NaN : Number(scoreText);
    const percentile = percentileText === '' ? Number.NaN : Number(percentileText);
    if (!CVE.test(cve) || !Number.isFinite(score) || !Number.isFinite(percentile) || score < 0 || score > 1 || percentile < 0 || percentile > 1) {
      skipped++;
      continue;
    }
    rows.push({ cve, score, percentile });
  }
  if (rows.length === 0) return { message: `no row holds a CVE with a score and a percentile${skipped ? ` (${skipped} rows unreadable)` : ''}` };
  return { rows, ...(modelVersion ? { modelVersion } : {}), ...(date ? { date } : {}), skipped };
};
