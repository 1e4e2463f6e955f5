import type { CiKind, CiResultRecord } from './store/index.js';

type Summary = Pick<CiResultRecord, 'subject' | 'counts'> & { readonly toolVersion?: string | undefined };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What central keeps in the columns of a CI report: what was scanned and its counts by severity,
 * read from the report `--format json` writes (`summary.bySeverity` in every kind). A report
 * that is not of the kind named is refused with the reason, as data.
 */
export const summariseCiReport = (kind: CiKind, report: unknown): Summary | { readonly problem: string } => {
  if (!isRecord(report)) return { problem: 'the report must be a JSON object, as `--format json` writes it' };
  const summary = report.summary;
  const bySeverity = isRecord(summary) ? summary.bySeverity : undefined;
  if (!isRecord(bySeverity)) return { problem: 'the report has no summary.bySeverity: push the JSON report (`--format json`)' };
  const count = (level: string): number => (typeof bySeverity[level] === 'number' ? bySeverity[level] : 0);
  const counts = {
    critical: count('CRITICAL'),
    high: count('HIGH'),
    medium: count('MEDIUM'),
    low: count('LOW'),
    total: Object.values(bySeverity).reduce<number>((sum, value) => sum + (typeof value === 'number' ? value : 0), 0),
  };
  if (kind === 'image-scan') {
    const image = report.image;
    if (!isRecord(image) || !Array.isArray(report.packages))
      return { problem: 'an image-scan report has `image` and `packages`: push `kubeward image scan --format json`' };
    return { subject: `${String(image.source)}@${String(image.digest)}`, counts };
  }
  if (!Array.isArray(report.findings) || !Array.isArray(report.inputs))
    return { problem: `a ${kind} report has \`findings\` and \`inputs\`: push \`kubeward ${kind === 'manifests' ? 'scan' : 'image check'} --format json\`` };
  const tool = isRecord(report.tool) && typeof report.tool.version === 'string' ? report.tool.version : undefined;
  return { subject: report.inputs.map(String).join(' ').slice(0, 1000), counts, toolVersion: tool };
};
