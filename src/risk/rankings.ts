import { parseImageName } from '../k8s/index.js';
import { largest, vulnerabilitySeverityRank, type EpssScore, type KevEntry, type VulnerabilityMatch, type VulnerabilitySeverity } from '../model/index.js';
import { scoreOf, type RiskFactor } from './factor.js';
import { distinctVulnerabilities, imageFactors, imageLookup, SEVERITY_SCORE, type ScannedImage } from './images.js';
import type { WorkloadRisk } from './workloads.js';

interface WorkloadRef {
  readonly workload: string;
  readonly score: number;
}

export interface ImageRisk {
  /** The name workloads run it by (the scanned name when it was scanned). */
  readonly image: string;
  readonly digest?: string;
  readonly scanned: boolean;
  /** The image's own risk: the product of its factors (1 when not scanned). */
  readonly imageScore: number;
  /** The highest risk of a workload that runs it; 0 when none does. */
  readonly workloadScore: number;
  /** The (at most 10) riskiest workloads that run it. */
  readonly workloads: readonly WorkloadRef[];
  /** How many workloads run it. */
  readonly workloadCount: number;
  readonly factors: readonly RiskFactor[];
  readonly summary: string;
}

export interface VulnerabilityRisk {
  readonly id: string;
  /** Every id it goes by (GHSA, distribution advisories). */
  readonly aliases: readonly string[];
  readonly severity: VulnerabilitySeverity;
  /** The highest CVSS base score an advisory gives, when any does. */
  readonly cvss?: number;
  readonly fixable: boolean;
  readonly kev?: KevEntry;
  readonly epss?: EpssScore;
  readonly packages: readonly { readonly ecosystem: string; readonly name: string; readonly version: string; readonly fixedVersions: readonly string[] }[];
  readonly images: readonly string[];
  /** The (at most 10) riskiest workloads that run an image with it; empty when no workload does. */
  readonly workloads: readonly WorkloadRef[];
  /** How many workloads run an image with it. */
  readonly workloadCount: number;
  readonly score: number;
  /** Why it ranks where it does, in plain words. */
  readonly reasons: readonly string[];
}

/** How bad a vulnerability is when no CVSS score is known: StackRox's severity scores, and an unrated one between LOW and MEDIUM rather than nothing. */
const PRIORITY_BASE: Readonly<Record<VulnerabilitySeverity, number>> = { ...SEVERITY_SCORE, UNKNOWN: 4, NONE: 0.5 };

const MAX_LISTED_WORKLOADS = 10;

/** Code-point order: stable across locales, and much cheaper than localeCompare over tens of thousands of ids. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byScore = (a: WorkloadRef, b: WorkloadRef): number => b.score - a.score || byText(a.workload, b.workload);

/** `shop/Deployment/web (risk 12.30)`, or `3 workloads, the riskiest shop/Deployment/web (risk 12.30)`. */
const runBy = (users: readonly WorkloadRef[], count = users.length): string => {
  const top = users[0] as WorkloadRef;
  return `${count === 1 ? top.workload : `${count} workloads, the riskiest ${top.workload}`} (risk ${top.score.toFixed(2)})`;
};

/** Which workloads run each scanned image (and each unscanned image reference). */
const imageUse = (workloads: readonly WorkloadRisk[], images: readonly ScannedImage[]) => {
  const scanOf = imageLookup(images);
  const running = new Map<ScannedImage, WorkloadRef[]>();
  const unscanned = new Map<string, WorkloadRef[]>();
  for (const workload of workloads) {
    const ref = { workload: workload.workload, score: workload.score };
    for (const { image } of workload.images) {
      const scanned = scanOf(parseImageName(image));
      const list = scanned ? (running.get(scanned) ?? running.set(scanned, []).get(scanned)) : (unscanned.get(image) ?? unscanned.set(image, []).get(image));
      if (list && !list.some((entry) => entry.workload === ref.workload)) list.push(ref);
    }
  }
  for (const list of [...running.values(), ...unscanned.values()]) list.sort(byScore);
  return { running, unscanned };
};

/**
 * Images ranked by the risk of the workloads that run them, then by their own risk (StackRox's
 * image multipliers and exploitability); images no workload runs come last.
 */
export const rankImages = (workloads: readonly WorkloadRisk[], images: readonly ScannedImage[], now: Date): ImageRisk[] => {
  const { running, unscanned } = imageUse(workloads, images);
  const ranked: ImageRisk[] = images.map((image) => {
    const factors = imageFactors(image, now).sort((a, b) => b.multiplier - a.multiplier);
    const users = running.get(image) ?? [];
    const top = users[0];
    const context = top ? `run by ${runBy(users)}` : 'run by no workload in the inputs';
    return {
      image: image.name,
      digest: image.scan.image.digest,
      scanned: true,
      imageScore: scoreOf(factors),
      workloadScore: top?.score ?? 0,
      workloads: users.slice(0, MAX_LISTED_WORKLOADS),
      workloadCount: users.length,
      factors,
      summary: [context, ...factors.flatMap((factor) => factor.evidence.slice(0, 1))].join('; '),
    };
  });
  for (const [image, users] of unscanned) {
    const top = users[0] as WorkloadRef;
    ranked.push({
      image,
      scanned: false,
      imageScore: 1,
      workloadScore: top.score,
      workloads: users.slice(0, MAX_LISTED_WORKLOADS),
      workloadCount: users.length,
      factors: [],
      summary: `run by ${runBy(users)}; image not scanned`,
    });
  }
  return ranked.sort((a, b) => b.workloadScore - a.workloadScore || b.imageScore - a.imageScore || byText(a.image, b.image));
};

const worstSeverity = (matches: readonly VulnerabilityMatch[]): VulnerabilitySeverity =>
  matches.reduce<VulnerabilitySeverity>(
    (worst, match) => (vulnerabilitySeverityRank(match.severity) > vulnerabilitySeverityRank(worst) ? match.severity : worst),
    'UNKNOWN',
  );

/**
 * Vulnerabilities ranked by what fixing them buys: how bad (CVSS, else the severity; unrated 4), how likely
 * to be exploited (CISA KEV ×2, EPSS ×(1 + probability)), whether a fix exists (×1.5), and the
 * riskiest workload that runs it (its score as a multiplier). Ones in images no workload runs
 * come last, whatever their score.
 */
export const rankVulnerabilities = (workloads: readonly WorkloadRisk[], images: readonly ScannedImage[]): VulnerabilityRisk[] => {
  const { running } = imageUse(workloads, images);
  const groups = new Map<string, { matches: VulnerabilityMatch[]; images: ScannedImage[] }>();
  for (const image of images) {
    for (const match of distinctVulnerabilities(image.scan)) {
      let group = groups.get(match.id);
      if (!group) groups.set(match.id, (group = { matches: [], images: [] }));
      group.matches.push(match);
      if (group.images.at(-1) !== image) group.images.push(image);
    }
  }
  /** The riskiest workloads that run any of the images (each image's list is sorted already), and how many in all. */
  const usersOf = (scanned: readonly ScannedImage[]): { top: WorkloadRef[]; count: number } => {
    if (scanned.length === 1) {
      const users = running.get(scanned[0] as ScannedImage) ?? [];
      return { top: users.slice(0, MAX_LISTED_WORKLOADS), count: users.length };
    }
    const all = new Map<string, WorkloadRef>();
    for (const image of scanned) for (const user of running.get(image) ?? []) all.set(user.workload, user);
    return { top: [...all.values()].sort(byScore).slice(0, MAX_LISTED_WORKLOADS), count: all.size };
  };
  const ranked = [...groups].map(([id, group]): VulnerabilityRisk => {
    const severity = worstSeverity(group.matches);
    const scores = group.matches.flatMap((match) => (match.score === undefined ? [] : [match.score]));
    const cvss = scores.length > 0 ? largest(scores) : undefined;
    const kev = group.matches.find((match) => match.kev)?.kev;
    const epss = group.matches.find((match) => match.epss)?.epss;
    const packages = new Map<string, VulnerabilityRisk['packages'][number]>();
    for (const match of group.matches)
      packages.set(`${match.package.ecosystem} ${match.package.name} ${match.package.version}`, {
        ecosystem: match.package.ecosystem,
        name: match.package.name,
        version: match.package.version,
        fixedVersions: match.fixedVersions,
      });
    const fixable = group.matches.some((match) => match.fixedVersions.length > 0);
    const { top: users, count } = usersOf(group.images);
    const top = users[0];
    const base = (cvss ?? PRIORITY_BASE[severity]) / 10;
    const score = base * (kev ? 2 : 1) * (1 + (epss?.score ?? 0)) * (fixable ? 1.5 : 1) * (top?.score ?? 1);
    const reasons = [
      `${severity}${cvss === undefined ? '' : ` (CVSS ${cvss.toFixed(1)})`}`,
      ...(kev ? [`known exploited (CISA KEV since ${kev.dateAdded}${kev.knownRansomwareCampaignUse === 'Known' ? ', used by ransomware' : ''})`] : []),
      ...(epss && epss.score >= 0.01 ? [`EPSS ${(epss.score * 100).toFixed(1)}%`] : []),
      fixable
        ? `fixable: ${[...packages.values()]
            .filter((entry) => entry.fixedVersions.length > 0)
            .slice(0, 3)
            .map((entry) => `${entry.name} ${entry.version} → ${entry.fixedVersions[0]}`)
            .join(', ')}`
        : 'no fix yet',
      top
        ? `in ${runBy(users, count)}`
        : `in no running workload (image ${group.images
            .map((image) => image.name)
            .sort()
            .join(', ')})`,
    ];
    return {
      id,
      aliases:
        group.matches.length === 1
          ? (group.matches[0] as VulnerabilityMatch).ids.filter((alias) => alias !== id)
          : [...new Set(group.matches.flatMap((match) => match.ids))].filter((alias) => alias !== id).sort(),
      severity,
      ...(cvss === undefined ? {} : { cvss }),
      fixable,
      ...(kev ? { kev } : {}),
      ...(epss ? { epss } : {}),
      packages: [...packages.values()],
      images: group.images.map((image) => image.name).sort(),
      workloads: users,
      workloadCount: count,
      score: Number(score.toFixed(3)),
      reasons,
    };
  });
  return ranked.sort((a, b) => Number(b.workloadCount > 0) - Number(a.workloadCount > 0) || b.score - a.score || byText(a.id, b.id));
};
