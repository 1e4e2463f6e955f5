import type { ClusterSnapshot, ImageScan } from '../model/index.js';
import { computeIsolation } from '../network/index.js';
import { evaluatePolicies } from '../policy/index.js';
import { assessSubjects, collectGrants, serviceAccountSubjects } from '../rbac/index.js';
import type { RiskRanking, RiskReport } from '../report/risk/index.js';
import { imageLookup, rankImages, rankVulnerabilities, rankWorkloads, workloadProblems, type RiskProblem, type ScannedImage } from '../risk/index.js';
import { parseImageName } from '../k8s/index.js';
import { applyExceptions, type LapsedException, type PolicySet } from './policies.js';

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
}

/**
 * `risk`: workloads, images or vulnerabilities ranked by risk in their Kubernetes context. The
 * set's policies judge the workloads (image policies with the scans, as StackRox alerts on
 * deployments), its exceptions apply as in `scan` (a suppressed finding adds no risk), and RBAC,
 * NetworkPolicy isolation and exposure weigh in.
 */
export const rankRisk = (options: RankRiskOptions): { report: RiskReport; lapsed: readonly LapsedException[] } => {
  const { set, snapshot, images, now } = options;
  const scanOf = imageLookup(images);
  const judged = evaluatePolicies(snapshot, set.policies.active, { now, stages: ['BUILD', 'DEPLOY'], imageScan: (name): ImageScan | undefined => scanOf(name)?.scan });
  const { findings, lapsed } = applyExceptions(set, judged.findings, now);
  const { grants, problems: rbacProblems } = collectGrants(snapshot);
  const workloads = rankWorkloads({ snapshot, findings, isolation: computeIsolation(snapshot), rbac: assessSubjects(grants, serviceAccountSubjects(snapshot)), images, now });
  const problems: RiskProblem[] = [...rbacProblems, ...workloadProblems(snapshot), ...(options.problems ?? [])];
  const used = new Set(workloads.flatMap((entry) => entry.images.map((image) => image.image)).map((image) => scanOf(parseImageName(image))));
  for (const image of images) if (!used.has(image)) problems.push({ object: `image ${image.name}`, message: 'no workload in the inputs runs this image; name it as the manifests do with --images <reference>=<image>' });
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
