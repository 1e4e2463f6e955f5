import cvss from 'ae-cvss-calculator';
import type { CvssScore, CvssVersion, SeverityLabel, SeveritySource, VulnerabilitySeverity } from '../model/index.js';
import type { OsvRecord, OsvSeverity } from './osv/types.js';

/**
 * The one severity a finding shows, and where it came from: `cvss` (a vector, the highest CVSS
 * version preferred in the order 3.1, 3.0, 4.0, 2.0), `cvss-score` (a score a database states
 * without a vector, as rubysec does), `label` (a database's own rating: GHSA's LOW..CRITICAL,
 * Ubuntu's priorities), or `none` (UNKNOWN: nothing rates it, and no number is made up).
 */
export interface SeverityVerdict {
  readonly severity: VulnerabilitySeverity;
  readonly score?: number;
  readonly source: SeveritySource;
}

/** Mandatory base metrics and their values, per version (the specifications' vector grammars). */
const BASE_METRICS: Readonly<Record<CvssVersion, Readonly<Record<string, string>>>> = {
  '2.0': { AV: 'LAN', AC: 'HML', Au: 'MSN', C: 'NPC', I: 'NPC', A: 'NPC' },
  '3.0': { AV: 'NALP', AC: 'LH', PR: 'NLH', UI: 'NR', S: 'UC', C: 'HLN', I: 'HLN', A: 'HLN' },
  '3.1': { AV: 'NALP', AC: 'LH', PR: 'NLH', UI: 'NR', S: 'UC', C: 'HLN', I: 'HLN', A: 'HLN' },
  '4.0': { AV: 'NALP', AC: 'LH', AT: 'NP', PR: 'NLH', UI: 'NPA', VC: 'HLN', VI: 'HLN', VA: 'HLN', SC: 'HLN', SI: 'HLN', SA: 'HLN' },
};

const versionOf = (vector: string): CvssVersion | undefined => {
  const prefix = /^CVSS:(\d\.\d)\//.exec(vector)?.[1];
  if (prefix === undefined) return /^\(?AV:[LAN]\//.test(vector) ? '2.0' : undefined;
  return prefix === '3.0' || prefix === '3.1' || prefix === '4.0' ? prefix : undefined;
};

/** Checks a vector has every base metric once, with a legal value; the calculator alone scores partial vectors 0. */
const completeVector = (vector: string, version: CvssVersion): boolean => {
  const body = vector.replace(/^CVSS:\d\.\d\//, '').replace(/^\((.*)\)$/, '$1');
  const seen = new Map<string, string>();
  for (const part of body.split('/')) {
    const [metric, value, extra] = part.split(':');
    if (metric === undefined || value === undefined || extra !== undefined || seen.has(metric)) return false;
    seen.set(metric, value);
  }
  return Object.entries(BASE_METRICS[version]).every(([metric, values]) => {
    const value = seen.get(metric);
    return value !== undefined && value.length === 1 && values.includes(value);
  });
};

/** Qualitative rating of a base score: CVSS v3/v4 bands (0 NONE, 0.1 LOW, 4 MEDIUM, 7 HIGH, 9 CRITICAL); v2 has no NONE or CRITICAL. */
export const ratingOf = (score: number, version: CvssVersion): VulnerabilitySeverity => {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score === 0) return 'NONE';
  return score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
};

const vectorScores = new Map<string, { version: CvssVersion; score: number } | undefined>();

/** Base score of a CVSS vector (v2, v3.0, v3.1 or v4.0), or undefined when the vector is malformed. Memoised: advisories share vectors. */
export const scoreVector = (vector: string): { version: CvssVersion; score: number } | undefined => {
  if (!vectorScores.has(vector)) {
    if (vectorScores.size > 100_000) vectorScores.clear();
    vectorScores.set(vector, computeScore(vector));
  }
  return vectorScores.get(vector);
};

const computeScore = (vector: string): { version: CvssVersion; score: number } | undefined => {
  const text = vector.trim();
  const version = versionOf(text);
  if (!version || !completeVector(text, version)) return undefined;
  try {
    const calculator =
      version === '2.0'
        ? new cvss.Cvss2(text.replace(/^\((.*)\)$/, '$1'))
        : version === '3.0'
          ? new cvss.Cvss3P0(text)
          : version === '3.1'
            ? new cvss.Cvss3P1(text)
            : new cvss.Cvss4P0(text);
    const score = calculator.calculateScores().base;
    return typeof score === 'number' && Number.isFinite(score) ? { version, score } : undefined;
  } catch {
    return undefined;
  }
};

const LABELS: Readonly<Record<string, VulnerabilitySeverity>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  important: 'HIGH',
  moderate: 'MEDIUM',
  medium: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  unimportant: 'LOW',
  none: 'NONE',
};

/** A severity word a database uses (GHSA `MODERATE`, Ubuntu `negligible`, Red Hat `Important`). */
export const labelSeverity = (label: string): VulnerabilitySeverity | undefined => LABELS[label.trim().toLowerCase()];

const CVSS_PREFERENCE: readonly CvssVersion[] = ['3.1', '3.0', '4.0', '2.0'];

/** Every CVSS vector in a record (and its affected entries), scored. Malformed vectors are skipped. */
export const cvssScores = (record: OsvRecord, affectedIndexes?: readonly number[]): CvssScore[] => {
  const severities: OsvSeverity[] = [...(record.severity ?? [])];
  for (const index of affectedIndexes ?? []) severities.push(...(record.affected?.[index]?.severity ?? []));
  const out: CvssScore[] = [];
  const seen = new Set<string>();
  for (const entry of severities) {
    if (!entry.type.startsWith('CVSS_') || seen.has(entry.score)) continue;
    seen.add(entry.score);
    const scored = scoreVector(entry.score);
    if (scored) out.push({ ...scored, vector: entry.score.trim(), severity: ratingOf(scored.score, scored.version), record: record.id });
  }
  return out;
};

const stringAt = (value: unknown, key: string): string | undefined => {
  const found = (value as Record<string, unknown> | undefined)?.[key];
  return typeof found === 'string' ? found : undefined;
};
const numberAt = (value: unknown, key: string): number | undefined => {
  const found = (value as Record<string, unknown> | undefined)?.[key];
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
};

/** Every severity word the records carry, in the order they are preferred. */
type FoundLabel = SeverityLabel & { readonly record: string; readonly field: string };

const severityLabels = (records: readonly { readonly record: OsvRecord; readonly affected: readonly number[] }[]): FoundLabel[] => {
  const out: FoundLabel[] = [];
  for (const { record, affected } of records) {
    const candidates: [string | undefined, string][] = [
      [stringAt(record.database_specific, 'severity'), 'database_specific.severity'],
      ...affected.flatMap((index): [string | undefined, string][] => [
        [stringAt(record.affected?.[index]?.ecosystem_specific, 'severity'), 'ecosystem_specific.severity'],
        [stringAt(record.affected?.[index]?.database_specific, 'severity'), 'affected database_specific.severity'],
      ]),
      ...(record.severity ?? [])
        .filter((entry) => !entry.type.startsWith('CVSS_'))
        .map((entry): [string | undefined, string] => [entry.score, `${entry.type} priority`]),
    ];
    for (const [label, where] of candidates) {
      if (label === undefined) continue;
      const severity = labelSeverity(label);
      out.push({ label, ...(severity ? { severity } : {}), where: `${where} of ${record.id}`, record: record.id, field: where });
    }
  }
  return out;
};

const publicLabel = ({ label, severity, where }: FoundLabel): SeverityLabel => ({ label, ...(severity ? { severity } : {}), where });

/**
 * Picks the severity of a vulnerability reported by one or more records (a CVE and its GHSA):
 * a computed CVSS score first (3.1, 3.0, 4.0, 2.0; the highest score within the preferred
 * version), then a score stated without a vector, then a database label, else UNKNOWN.
 */
export const judgeSeverity = (
  records: readonly { readonly record: OsvRecord; readonly affected: readonly number[] }[],
): { verdict: SeverityVerdict; cvss: CvssScore[]; labels: SeverityLabel[] } => {
  const scores = records.flatMap(({ record, affected }) => cvssScores(record, affected));
  const allLabels = (): SeverityLabel[] => severityLabels(records).map(publicLabel);
  for (const version of CVSS_PREFERENCE) {
    const best = scores.filter((score) => score.version === version).sort((a, b) => b.score - a.score)[0];
    if (best) {
      return {
        verdict: {
          severity: best.severity,
          score: best.score,
          source: { kind: 'cvss', detail: `CVSS:${best.version} vector of ${best.record}`, record: best.record },
        },
        cvss: scores,
        labels: allLabels(),
      };
    }
  }
  for (const { record, affected } of records) {
    const specifics = [record.database_specific, ...affected.map((index) => record.affected?.[index]?.database_specific)];
    for (const [key, version] of [
      ['cvss_v3', '3.1'],
      ['cvss_v4', '4.0'],
      ['cvss_v2', '2.0'],
    ] as const) {
      const score = specifics.map((specific) => numberAt(specific, key)).find((value) => value !== undefined);
      if (score !== undefined) {
        return {
          verdict: {
            severity: ratingOf(score, version),
            score,
            source: { kind: 'cvss-score', detail: `database_specific.${key} of ${record.id} (a score without a vector)`, record: record.id },
          },
          cvss: scores,
          labels: allLabels(),
        };
      }
    }
  }
  const labels = severityLabels(records);
  const labelled = labels.find((entry) => entry.severity !== undefined);
  if (labelled?.severity)
    return {
      verdict: {
        severity: labelled.severity,
        source: { kind: 'label', detail: `${labelled.field} "${labelled.label}" of ${labelled.record}`, record: labelled.record },
      },
      cvss: scores,
      labels: labels.map(publicLabel),
    };
  return {
    verdict: { severity: 'UNKNOWN', source: { kind: 'none', detail: 'no CVSS vector, score or severity label in the records' } },
    cvss: scores,
    labels: labels.map(publicLabel),
  };
};
