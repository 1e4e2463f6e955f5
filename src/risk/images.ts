import { parseImageName } from '../k8s/index.js';
import type { ImageName, ImageScan, InstalledPackage, VulnerabilityMatch, VulnerabilitySeverity } from '../model/index.js';
import { normalise, type RiskFactor } from './factor.js';

/** A scanned image and the name workloads know it by (a registry reference, or the name given for a local archive). */
export interface ScannedImage {
  readonly name: string;
  readonly scan: ImageScan;
}

/**
 * StackRox's severity scores for its vulnerability multiplier (CVSS v3 ratings: Low 2,
 * Moderate 5.5, Important 8, Critical 9.5); a score with no rating counts for nothing.
 */
export const SEVERITY_SCORE: Readonly<Record<VulnerabilitySeverity, number>> = { UNKNOWN: 0, NONE: 0, LOW: 2, MEDIUM: 5.5, HIGH: 8, CRITICAL: 9.5 };

/**
 * StackRox's components useful for attackers, by the names distributions package them under:
 * `apk` ships as apk-tools, `sh` as dash or busybox's applet package, netcat in several flavours.
 */
const ATTACKER_TOOLS: Readonly<Record<string, string>> = {
  'apk-tools': 'apk',
  apt: 'apt',
  bash: 'bash',
  curl: 'curl',
  dnf: 'dnf',
  'netcat-openbsd': 'netcat',
  'netcat-traditional': 'netcat',
  netcat: 'netcat',
  'nmap-ncat': 'netcat',
  ncat: 'netcat',
  nmap: 'nmap',
  rpm: 'rpm',
  dash: 'sh',
  'busybox-binsh': 'sh',
  busybox: 'sh',
  tcsh: 'tcsh',
  telnet: 'telnet',
  'inetutils-telnet': 'telnet',
  wget: 'wget',
  wget2: 'wget',
  yum: 'yum',
};
const OS_CATALOGERS = new Set(['dpkg', 'apk', 'rpm']);
const DAY_MS = 86_400_000;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
const packageText = (match: VulnerabilityMatch): string => `${match.package.name} ${match.package.version}`;

/** Vulnerabilities counted once per id and package (a CVE found by two advisories is one finding). */
export const distinctVulnerabilities = (scan: ImageScan): VulnerabilityMatch[] => {
  const seen = new Map<string, VulnerabilityMatch>();
  for (const match of scan.vulnerabilities) {
    const key = `${match.id}\u0000${match.package.ecosystem}\u0000${match.package.name}\u0000${match.package.version}`;
    if (!seen.has(key)) seen.set(key, match);
  }
  return [...seen.values()];
};

/** StackRox's raw vulnerability score: Σ s²/10 over the image's vulnerabilities, s from the severity. */
export const vulnerabilityRaw = (matches: readonly VulnerabilityMatch[]): number =>
  matches.reduce((sum, match) => sum + SEVERITY_SCORE[match.severity] ** 2 / 10, 0);

const severityCounts = (matches: readonly VulnerabilityMatch[]): string => {
  const order: VulnerabilitySeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
  const unrated = matches.filter((match) => !order.includes(match.severity)).length;
  return [
    ...order
      .map((severity) => [severity, matches.filter((match) => match.severity === severity).length] as const)
      .filter(([, count]) => count > 0)
      .map(([severity, count]) => `${count} ${severity}`),
    ...(unrated > 0 ? [`${unrated} unrated`] : []),
  ].join(', ');
};

/**
 * The image's own factors, as StackRox computes them per image (vulnerabilities, components
 * useful for attackers, number of components, freshness), plus what it lacks: how likely its
 * vulnerabilities are to be exploited (CISA KEV, EPSS). Each factor names the image.
 */
export const imageFactors = (image: ScannedImage, now: Date): RiskFactor[] => {
  // Rankings by workload, image and CVE all ask: each image is judged once per `now`.
  const cached = computed.get(image);
  if (cached?.now === now.getTime()) return [...cached.factors];
  const factors = computeImageFactors(image, now);
  computed.set(image, { now: now.getTime(), factors });
  return [...factors];
};

const computed = new WeakMap<ScannedImage, { readonly now: number; readonly factors: readonly RiskFactor[] }>();

const computeImageFactors = (image: ScannedImage, now: Date): RiskFactor[] => {
  const factors: RiskFactor[] = [];
  const name = image.name;
  const matches = distinctVulnerabilities(image.scan);
  if (matches.length > 0) {
    const fixable = matches.filter((match) => match.fixedVersions.length > 0);
    const worst = [...matches].sort(
      (a, b) =>
        SEVERITY_SCORE[b.severity] - SEVERITY_SCORE[a.severity] ||
        Number(b.fixedVersions.length > 0) - Number(a.fixedVersions.length > 0) ||
        a.id.localeCompare(b.id),
    )[0] as VulnerabilityMatch;
    factors.push({
      id: 'image-vulnerabilities',
      name: 'Image vulnerabilities',
      multiplier: normalise(vulnerabilityRaw(matches), 100, 4),
      evidence: [
        `image ${name} has ${plural(matches.length, 'vulnerability').replace(/ys$/, 'ies')} (${severityCounts(matches)}), ${fixable.length} fixable now`,
        `worst: ${worst.id} in ${packageText(worst)} (${worst.severity}${worst.fixedVersions.length > 0 ? `, fixed in ${worst.fixedVersions[0]}` : ', no fix yet'})`,
      ],
    });
  }

  const exploited = matches.filter((match) => match.kev !== undefined);
  const likely = matches.filter((match) => match.epss !== undefined).sort((a, b) => (b.epss?.score ?? 0) - (a.epss?.score ?? 0));
  const topEpss = likely[0]?.epss?.score ?? 0;
  const exploitMultiplier = Math.min(2, 1 + (exploited.length > 0 ? 0.5 : 0) + 0.5 * topEpss);
  if (exploitMultiplier >= 1.01) {
    const evidence = exploited
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, 3)
      .map(
        (match) =>
          `${match.id} in ${packageText(match)} is known exploited (CISA KEV since ${match.kev?.dateAdded}${match.kev?.knownRansomwareCampaignUse === 'Known' ? ', used by ransomware' : ''})`,
      );
    if (exploited.length > 3) evidence.push(`and ${exploited.length - 3} more known exploited`);
    const top = likely[0];
    if (top?.epss && top.epss.score >= 0.01)
      evidence.push(
        `${top.id} in ${packageText(top)} has a ${(top.epss.score * 100).toFixed(1)}% chance of exploitation in the next 30 days (EPSS, percentile ${(top.epss.percentile * 100).toFixed(1)})`,
      );
    factors.push({ id: 'exploitable-vulnerabilities', name: 'Exploitable vulnerabilities', multiplier: exploitMultiplier, evidence });
  }

  const tools = new Set<string>();
  for (const installed of image.scan.packages) {
    const tool = OS_CATALOGERS.has(installed.cataloger) ? ATTACKER_TOOLS[installed.name] : undefined;
    if (tool) tools.add(tool);
  }
  if (tools.size > 0) {
    const sorted = [...tools].sort();
    factors.push({
      id: 'attacker-components',
      name: 'Components useful for attackers',
      multiplier: Math.min(1.5, 1 + sorted.length / 20),
      evidence: [`image ${name} contains ${sorted.join(', ')}`],
    });
  }

  const components = new Set(image.scan.packages.map((installed: InstalledPackage) => `${installed.name}:${installed.version}`)).size;
  if (components >= 10)
    factors.push({
      id: 'component-count',
      name: 'Number of components',
      multiplier: Math.min(1.5, 1 + (components - 10) / 20),
      evidence: [`image ${name} contains ${components} components`],
    });

  const created = image.scan.image.created === undefined ? Number.NaN : Date.parse(image.scan.image.created);
  // Reproducible builds stamp the epoch: no age is known then.
  if (!Number.isNaN(created) && created > Date.UTC(1970, 0, 2)) {
    const days = Math.floor((now.getTime() - created) / DAY_MS);
    if (days >= 90)
      factors.push({
        id: 'image-age',
        name: 'Image freshness',
        multiplier: Math.min(1.5, 1 + ((days - 90) / 180) * 0.5),
        evidence: [`image ${name} was built ${days} days ago (${image.scan.image.created})`],
      });
  }
  return factors;
};

/** Registry, repository and tag (`latest` when none), the way a container's image names the scanned one. */
const nameKey = (image: ImageName): string => `${image.registry}/${image.remote}:${image.tag ?? 'latest'}`;

/**
 * Finds the scan of a container's image: by manifest digest when the container pins one, else
 * by registry, repository and tag.
 */
export const imageLookup = (images: readonly ScannedImage[]): ((image: ImageName) => ScannedImage | undefined) => {
  const byDigest = new Map<string, ScannedImage>();
  const byName = new Map<string, ScannedImage>();
  for (const image of images) {
    byDigest.set(image.scan.image.digest, image);
    const parsed = parseImageName(image.name);
    if (parsed.digest) byDigest.set(parsed.digest, image);
    if (parsed.tag !== undefined || !parsed.digest) byName.set(nameKey(parsed), image);
  }
  // Thousands of containers name the same few images: each reference is resolved once.
  const resolved = new Map<string, ScannedImage | undefined>();
  return (image) => {
    if (resolved.has(image.full)) return resolved.get(image.full);
    // A pinned digest is what the kubelet pulls, whatever the tag says.
    const found = image.digest ? byDigest.get(image.digest) : byName.get(nameKey(image));
    resolved.set(image.full, found);
    return found;
  };
};
