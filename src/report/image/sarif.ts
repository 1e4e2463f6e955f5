import type { ImageScan, InstalledPackage, VulnerabilityMatch, VulnerabilitySeverity } from '../../model/index.js';

const LEVEL: Readonly<Record<VulnerabilitySeverity, 'error' | 'warning' | 'note' | 'none'>> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  NONE: 'none',
  UNKNOWN: 'warning',
};
/** GitHub code scanning ranks security alerts by a CVSS-like number: the score when known, else one for the severity. */
const SEVERITY_SCORE: Readonly<Record<VulnerabilitySeverity, number>> = { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 3.0, NONE: 0, UNKNOWN: 5.0 };

const uri = (path: string): string => path.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');

const installed = (match: VulnerabilityMatch): Partial<InstalledPackage> => match.package as Partial<InstalledPackage>;

/**
 * SARIF 2.1.0 for an image: one rule per vulnerability, one result per vulnerable package, located
 * at the file inside the image that lists the package (as GitHub code scanning needs a file).
 */
export const renderImageSarif = (scan: ImageScan, toolVersion: string): string => {
  const rules: object[] = [];
  const ruleIndex = new Map<string, number>();
  const results: object[] = [];
  for (const match of scan.vulnerabilities) {
    let index = ruleIndex.get(match.id);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(match.id, index);
      const summary = match.summary ?? `${match.id} in ${match.package.name}`;
      rules.push({
        id: match.id,
        name: match.id.replace(/[^A-Za-z0-9]/g, ''),
        shortDescription: { text: summary },
        fullDescription: { text: summary },
        helpUri: match.references[0] ?? `https://osv.dev/vulnerability/${match.records[0] ?? match.id}`,
        help: {
          text: `${summary}\nSeverity: ${match.severity}${match.score === undefined ? '' : ` (${match.score})`}\nAliases: ${match.ids.join(', ')}`,
          markdown: [
            `**${match.id}** (${match.severity}${match.score === undefined ? '' : `, ${match.score}`})`,
            '',
            summary,
            '',
            ...match.references.slice(0, 5).map((reference) => `- ${reference}`),
          ].join('\n'),
        },
        defaultConfiguration: { level: LEVEL[match.severity] },
        properties: {
          tags: ['security', 'vulnerability', match.package.ecosystem, ...(match.kev ? ['known-exploited'] : [])],
          'security-severity': (match.score ?? SEVERITY_SCORE[match.severity]).toFixed(1),
          precision: 'very-high',
        },
      });
    }
    const pkg = installed(match);
    const layer =
      pkg.layerIndex === undefined
        ? ''
        : ` (layer ${pkg.layerIndex + 1}${scan.image.layers[pkg.layerIndex]?.createdBy ? `: ${scan.image.layers[pkg.layerIndex]?.createdBy}` : ''})`;
    const fix = match.fixedVersions.length > 0 ? `Fixed in ${match.fixedVersions.join(', ')}.` : 'No fixed version known.';
    results.push({
      ruleId: match.id,
      ruleIndex: index,
      level: LEVEL[match.severity],
      message: { text: `${match.id} (${match.severity}) in ${match.package.name} ${match.package.version} of image ${scan.image.source}${layer}. ${fix}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: uri(pkg.path ?? scan.image.source) }, region: { startLine: 1 } },
          logicalLocations: [
            {
              fullyQualifiedName: `${scan.image.source}@${scan.image.digest}/${match.package.purl ?? `${match.package.name}@${match.package.version}`}`,
              kind: 'package',
            },
          ],
        },
      ],
      partialFingerprints: {
        'kubewardVulnerability/v1': `${match.id}|${match.package.purl ?? `${match.package.ecosystem}/${match.package.name}@${match.package.version}`}`,
      },
    });
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'kubeward', version: toolVersion, semanticVersion: toolVersion, informationUri: 'https://github.com/kubeward/kubeward', rules },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: scan.problems.map((problem) => ({
              level: 'warning',
              message: { text: problem.message },
              descriptor: { id: problem.code },
            })),
          },
        ],
        results,
        properties: { image: scan.image.source, digest: scan.image.digest, ...(scan.os ? { os: `${scan.os.id} ${scan.os.versionId ?? ''}`.trim() } : {}) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
