import type { ImageScan, InstalledPackage, VulnerabilityMatch } from '../../model/index.js';
import { largest, REPORT_SCHEMA_VERSIONS, vulnerabilitySeverityRank } from '../../model/index.js';
import { renderImageSarif } from './sarif.js';
import { renderCycloneDx, renderSpdx } from '../../sbom/index.js';
import type { ImageFormatName } from './names.js';
import type { Renderer, RendererRegistry } from '../renderer.js';

export const IMAGE_REPORT_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.image;

export interface ImageReportOptions {
  readonly color: boolean;
  /** When the report is made (SBOMs record it). */
  readonly now: Date;
  readonly toolVersion: string;
}

/** An image scan's output format: a pure function from the scan to text. */
export type ImageRenderer = Renderer<ImageScan> & { readonly render: (scan: ImageScan, options: ImageReportOptions) => string };

const SEVERITY_COLOR: Readonly<Record<string, string>> = {
  CRITICAL: '\u001b[1;31m',
  HIGH: '\u001b[31m',
  MEDIUM: '\u001b[33m',
  LOW: '\u001b[36m',
  NONE: '\u001b[2m',
  UNKNOWN: '\u001b[2m',
};
const RESET = '\u001b[0m';

/** Worst first; within a severity, the ones with a fix first (what can be fixed now), then by score and id. */
export const orderVulnerabilities = (matches: readonly VulnerabilityMatch[]): VulnerabilityMatch[] =>
  [...matches].sort(
    (a, b) =>
      vulnerabilitySeverityRank(b.severity) - vulnerabilitySeverityRank(a.severity) ||
      Number(b.fixedVersions.length > 0) - Number(a.fixedVersions.length > 0) ||
      (b.score ?? 0) - (a.score ?? 0) ||
      a.package.name.localeCompare(b.package.name) ||
      a.id.localeCompare(b.id),
  );

export const countBySeverity = (matches: readonly VulnerabilityMatch[]): Record<string, number> => {
  const counts: Record<string, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, NONE: 0, UNKNOWN: 0 };
  for (const match of matches) counts[match.severity] = (counts[match.severity] ?? 0) + 1;
  return counts;
};

const pad = (text: string, width: number): string => (text.length >= width ? text : text + ' '.repeat(width - text.length));

/** Which layer (and Dockerfile step) brought a package in. */
const layerText = (scan: ImageScan, pkg: InstalledPackage | VulnerabilityMatch['package']): string => {
  const index = (pkg as InstalledPackage).layerIndex;
  if (index === undefined) return '';
  const createdBy = scan.image.layers[index]?.createdBy;
  return `layer ${index + 1}${createdBy ? `: ${createdBy.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').slice(0, 60)}` : ''}`;
};

const table: ImageRenderer = {
  name: 'table',
  description: 'vulnerabilities by severity, fixable first, with fixed versions and the layer that brought the package',
  render(scan, { color }) {
    const paint = (severity: string, text: string): string => (color ? `${SEVERITY_COLOR[severity] ?? ''}${text}${RESET}` : text);
    const lines: string[] = [];
    lines.push(`${scan.image.source} (${scan.image.digest})`);
    lines.push(
      `  os: ${scan.os ? `${scan.os.prettyName ?? `${scan.os.id} ${scan.os.versionId ?? ''}`}` : 'not detected'}${scan.image.platform ? `, platform ${scan.image.platform.os}/${scan.image.platform.architecture}` : ''}, ${scan.image.layers.length} layers, ${scan.packages.length} packages`,
    );
    const ordered = orderVulnerabilities(scan.vulnerabilities);
    if (ordered.length > 0) {
      const rows = ordered.map((match) => [
        match.id,
        match.severity,
        match.package.name,
        match.package.version,
        match.fixedVersions.join(', ') || '-',
        layerText(scan, match.package),
      ]);
      const widths = [0, 1, 2, 3, 4].map((column) =>
        Math.min(
          40,
          largest(
            rows.map((row) => (row[column] as string).length),
            ['VULNERABILITY', 'SEVERITY', 'PACKAGE', 'INSTALLED', 'FIXED IN'][column]?.length ?? 0,
          ),
        ),
      );
      lines.push('');
      lines.push(
        ['VULNERABILITY', 'SEVERITY', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'INTRODUCED BY']
          .map((title, column) => (column < 5 ? pad(title, widths[column] as number) : title))
          .join('  '),
      );
      for (const row of rows) {
        lines.push(
          row
            .map((cell, column) =>
              column === 1
                ? paint(cell as string, pad(cell as string, widths[column] as number))
                : column < 5
                  ? pad(cell as string, widths[column] as number)
                  : cell,
            )
            .join('  ')
            .trimEnd(),
        );
      }
    }
    const counts = countBySeverity(scan.vulnerabilities);
    const fixable = scan.vulnerabilities.filter((match) => match.fixedVersions.length > 0).length;
    lines.push('');
    lines.push(
      scan.vulnerabilities.length === 0
        ? 'No known vulnerabilities'
        : `${scan.vulnerabilities.length} vulnerabilities (${['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']
            .filter((severity) => (counts[severity] ?? 0) > 0)
            .map((severity) => paint(severity, `${counts[severity]} ${severity}`))
            .join(', ')}), ${fixable} with a fix`,
    );
    if (scan.problems.length > 0) {
      lines.push('', 'Problems');
      for (const problem of scan.problems.slice(0, 50)) lines.push(`  ${problem.code}  ${problem.message}`);
      if (scan.problems.length > 50) lines.push(`  ... and ${scan.problems.length - 50} more`);
    }
    return `${lines.join('\n')}\n`;
  },
};

const json: ImageRenderer = {
  name: 'json',
  description: 'the whole scan as data (see docs/images.md)',
  render(scan) {
    const counts = countBySeverity(scan.vulnerabilities);
    return `${JSON.stringify(
      {
        schemaVersion: IMAGE_REPORT_SCHEMA_VERSION,
        image: scan.image,
        ...(scan.os ? { os: scan.os } : {}),
        summary: {
          packages: scan.packages.length,
          vulnerabilities: scan.vulnerabilities.length,
          bySeverity: counts,
          fixable: scan.vulnerabilities.filter((match) => match.fixedVersions.length > 0).length,
          problems: scan.problems.length,
        },
        packages: scan.packages,
        vulnerabilities: orderVulnerabilities(scan.vulnerabilities),
        problems: scan.problems,
      },
      null,
      2,
    )}\n`;
  },
};

const cyclonedx: ImageRenderer = {
  name: 'cyclonedx',
  description: 'CycloneDX 1.6 JSON SBOM',
  render: (scan, options) => renderCycloneDx(scan, options),
};

const spdxJson: ImageRenderer = {
  name: 'spdx-json',
  description: 'SPDX 2.3 JSON SBOM',
  render: (scan, options) => renderSpdx(scan, options),
};

const sarif: ImageRenderer = {
  name: 'sarif',
  description: 'SARIF 2.1.0: a rule per vulnerability, a result per vulnerable package (GitHub code scanning)',
  render: (scan, options) => renderImageSarif(scan, options.toolVersion),
};

export const IMAGE_RENDERERS = { table, json, sarif, cyclonedx, 'spdx-json': spdxJson } as const satisfies RendererRegistry<ImageScan, ImageFormatName>;
export { IMAGE_FORMAT_NAMES, type ImageFormatName } from './names.js';
