import type { ClusterSnapshot, Finding, ImageScan } from '../model/index.js';
import { computeIsolation } from '../network/index.js';
import { applyIgnoreRules, evaluatePolicies, type IgnoreRule } from '../policy/index.js';
import { assessSubjects, collectGrants, serviceAccountSubjects } from '../rbac/index.js';
import type { RiskRanking, RiskReport } from '../report/risk/index.js';
import {
  imageLookup,
  rankImages,
  type WorkloadRisk,
  rankVulnerabilities,
  rankWorkloads,
  workloadProblems,
  type RiskProblem,
  type ScannedImage,
} from '../risk/index.js';
import { parseImageName } from '../k8s/index.js';
import type { VulnerabilityDatabase } from '../vulndb/store/index.js';
import { KnownError } from './errors.js';
import { applyExceptions, type LapsedException, type PolicySet } from './policies.js';
import { readImageScanReport, scanImage, type ScanImageOptions } from './scan-image.js';

export interface RankRiskOptions {
  readonly set: PolicySet;
  readonly snapshot: ClusterSnapshot;
  /** Scans of the images the workloads run, under the names the workloads use. */
  readonly images: readonly ScannedImage[];
  readonly by: RiskRanking;
  /** Keep only the first entries. */
  readonly top?: number | undefined;
  readonly now: Date;
  readonly version: string;
  /** Problems met while gathering the images, reported with the ranking's own. */
  readonly problems?: readonly RiskProblem[];
  /** Central's approved exceptions, as `judgeCluster` takes them. */
  readonly exceptions?: readonly IgnoreRule[] | undefined;
}

export interface JudgeClusterOptions {
  readonly set: PolicySet;
  readonly snapshot: ClusterSnapshot;
  /** Scans of the images the workloads run, under the names the workloads use. */
  readonly images: readonly ScannedImage[];
  readonly now: Date;
  /** Central's approved exceptions for this cluster, applied after the set's own `ignore:` rules. */
  readonly exceptions?: readonly IgnoreRule[] | undefined;
}

/** The images a finding is about: its container's, else every container's of its workload. */
const findingImages = (snapshot: ClusterSnapshot): ((finding: Finding) => readonly string[]) => {
  const byObject = new Map(snapshot.workloads.map((workload) => [`${workload.kind}\u0000${workload.namespace ?? ''}\u0000${workload.name}`, workload]));
  return (finding) => {
    const workload = byObject.get(`${finding.object.kind}\u0000${finding.object.namespace ?? ''}\u0000${finding.object.name}`);
    if (!workload) return [];
    const containers = workload.pod.containers;
    const named = finding.container ? containers.filter((container) => container.name === finding.container) : containers;
    return named.map((container) => container.image.full);
  };
};

/** A cluster judged whole: its findings after the set's exceptions, and its workloads ranked by risk. */
export interface ClusterJudgement {
  readonly findings: readonly Finding[];
  readonly workloads: readonly WorkloadRisk[];
  readonly problems: readonly RiskProblem[];
  readonly lapsed: readonly LapsedException[];
}

/**
 * The set's policies judge the workloads (image policies with the scans, as StackRox alerts on
 * deployments), its exceptions apply as in `scan` (a suppressed finding adds no risk), and RBAC,
 * NetworkPolicy isolation and exposure weigh in. `risk` ranks from it; central stores it.
 */
export const judgeCluster = (options: JudgeClusterOptions): ClusterJudgement => {
  const { set, snapshot, images, now } = options;
  const scanOf = imageLookup(images);
  const judged = evaluatePolicies(snapshot, set.policies.active, {
    now,
    stages: ['BUILD', 'DEPLOY'],
    imageScan: (name): ImageScan | undefined => scanOf(name)?.scan,
  });
  const excused = applyExceptions(set, judged.findings, now);
  const findings = options.exceptions?.length
    ? applyIgnoreRules(excused.findings, options.exceptions, now, findingImages(snapshot)).findings
    : excused.findings;
  const { lapsed } = excused;
  const { grants, problems: rbacProblems } = collectGrants(snapshot);
  const workloads = rankWorkloads({
    snapshot,
    findings,
    isolation: computeIsolation(snapshot),
    rbac: assessSubjects(grants, serviceAccountSubjects(snapshot)),
    images,
    now,
  });
  return { findings, workloads, problems: [...rbacProblems, ...workloadProblems(snapshot)], lapsed };
};

/** `risk`: workloads, images or vulnerabilities ranked by risk in their Kubernetes context (see `judgeCluster`). */
export const rankRisk = (options: RankRiskOptions): { report: RiskReport; lapsed: readonly LapsedException[] } => {
  const { images, now } = options;
  const scanOf = imageLookup(images);
  const { workloads, problems: judgedProblems, lapsed } = judgeCluster(options);
  const problems: RiskProblem[] = [...judgedProblems, ...(options.problems ?? [])];
  const used = new Set(workloads.flatMap((entry) => entry.images.map((image) => image.image)).map((image) => scanOf(parseImageName(image))));
  for (const image of images)
    if (!used.has(image))
      problems.push({
        object: `image ${image.name}`,
        message: 'no workload in the inputs runs this image; name it as the manifests do with --images <reference>=<image>',
      });
  const cut = <T>(entries: readonly T[]): readonly T[] => (options.top === undefined ? entries : entries.slice(0, options.top));
  const base = { problems, generated: now, toolVersion: options.version };
  const report: RiskReport =
    options.by === 'image'
      ? { ...base, by: 'image', entries: cut(rankImages(workloads, images, now)) }
      : options.by === 'cve'
        ? { ...base, by: 'cve', entries: cut(rankVulnerabilities(workloads, images)) }
        : { ...base, by: 'workload', entries: cut(workloads) };
  return { report, lapsed };
};

export interface GatherImagesOptions extends Omit<ScanImageOptions, 'advisories'> {
  readonly snapshot: ClusterSnapshot;
  /** Images to scan, as `reference` or `reference=name` (the name the workloads use for a local image). */
  readonly images?: readonly string[] | undefined;
  /** Earlier `image scan --format json` reports, as `file` or `file=name`. */
  readonly imageScans?: readonly string[] | undefined;
  /** Also scan every image the workloads run that nothing above covers. */
  readonly scanWorkloadImages?: boolean | undefined;
  /** The advisories to match, opened only when an image is scanned; none lists packages only. */
  readonly openAdvisories?: () => VulnerabilityDatabase | undefined;
}

/** `reference=name`: the last `=` splits, as image names hold none. */
const splitNamed = (entry: string): { readonly source: string; readonly name?: string } => {
  const equals = entry.lastIndexOf('=');
  if (equals <= 0 || equals === entry.length - 1) return { source: entry };
  return { source: entry.slice(0, equals), name: entry.slice(equals + 1) };
};

const SCAN_CONCURRENCY = 3;

/**
 * The image scans `risk` ranks with: reports read back, named images scanned and, when asked,
 * every image the workloads run that no scan covers yet. A workload image that cannot be
 * scanned is a problem, not a failure: the rest is ranked.
 */
export const gatherImages = async (options: GatherImagesOptions): Promise<{ images: ScannedImage[]; problems: RiskProblem[] }> => {
  const images: ScannedImage[] = [];
  const problems: RiskProblem[] = [];
  for (const entry of options.imageScans ?? []) {
    const { source, name } = splitNamed(entry);
    const scan = await readImageScanReport(source, options.cwd);
    images.push({ name: name ?? scan.image.source, scan });
  }
  if ((options.images ?? []).length === 0 && !options.scanWorkloadImages) return { images, problems };
  const advisories = options.openAdvisories?.();
  const { progress } = options;
  const scanOne = (source: string) =>
    scanImage(source, { ...options, advisories, ...(progress ? { progress: (message: string) => progress(`${source}: ${message}`) } : {}) });
  try {
    for (const entry of options.images ?? []) {
      const { source, name } = splitNamed(entry);
      const scanned = await scanOne(source);
      images.push({ name: name ?? scanned.name ?? source, scan: scanned.scan });
    }
    if (options.scanWorkloadImages) {
      const covered = imageLookup(images);
      const running = options.snapshot.workloads.flatMap((workload) =>
        workload.pod.containers.filter((container) => container.type !== 'ephemeral').map((container) => container.image),
      );
      const pending = [...new Set(running.filter((image) => !covered(image)).map((image) => image.full))].sort();
      progress?.(`scanning ${pending.length} images the workloads run`);
      // A few at a time: registries answer in parallel, and each scan holds only its current layer.
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < pending.length) {
          const reference = pending[next++] as string;
          try {
            images.push({ name: reference, scan: (await scanOne(reference)).scan });
          } catch (error) {
            if (!(error instanceof KnownError)) throw error;
            problems.push({ object: `image ${reference}`, message: `not scanned: ${error.message}` });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, pending.length) }, worker));
    }
  } finally {
    advisories?.close();
  }
  return { images, problems };
};
