import { buildSnapshot, normaliseDocument } from '../k8s/index.js';
import type { Finding, ImageScan, ScanReport } from '../model/index.js';
import { evaluatePolicies, isImagePolicy, type CompiledPolicy } from '../policy/index.js';
import { buildScanReport } from '../report/index.js';
import { applyExceptions, type LapsedException, type PolicySet } from './policies.js';
import { failingFindings } from './scan-manifests.js';

/** The set's policies that judge an image before it ships: BUILD stage, image fields only. */
export const imagePolicies = (set: PolicySet): CompiledPolicy[] =>
  set.policies.active.filter((compiled) => compiled.policy.lifecycleStages.includes('BUILD') && isImagePolicy(compiled));

/**
 * The image as a one-container Pod: image policies are container policies, and this way the
 * same policies judge an image before deployment and the workloads that run it afterwards.
 */
const imageAsPod = (reference: string, name: string) => {
  const podName =
    name
      .replace(/[@:].*$/, '')
      .split('/')
      .pop()
      ?.toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '') || 'image';
  const document = { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: 'image' }, spec: { containers: [{ name: 'image', image: name }] } };
  return buildSnapshot(normaliseDocument(document, { file: reference, documentIndex: 0, defaultNamespace: 'image' }).objects);
};

export interface CheckImageOptions {
  readonly set: PolicySet;
  /** The scan of the image (packages, vulnerabilities, configuration). */
  readonly scan: ImageScan;
  /** Where the image came from, as the report names its input. */
  readonly reference: string;
  /** The name policies see (registry, tag). */
  readonly name: string;
  readonly now: Date;
  readonly version: string;
}

/**
 * `image check`: the set's BUILD-stage image policies over one scanned image, its exceptions
 * applied, as a scan report with `scan`'s gate.
 */
export const checkImage = (
  options: CheckImageOptions,
): { report: ScanReport; failing: readonly Finding[]; lapsed: readonly LapsedException[]; policies: number } => {
  const policies = imagePolicies(options.set);
  const { findings: raw } = evaluatePolicies(imageAsPod(options.reference, options.name), policies, {
    now: options.now,
    stages: ['BUILD'],
    imageScan: () => options.scan,
  });
  const { findings, lapsed } = applyExceptions(options.set, raw, options.now);
  const report = buildScanReport({
    version: options.version,
    inputs: [options.reference],
    files: 1,
    documents: 1,
    kinds: { Pod: 1 },
    findings,
    problems: options.scan.problems.map((problem) => ({
      level: 'warning' as const,
      code: 'image' as const,
      file: problem.path ?? options.reference,
      message: problem.message,
    })),
    policies: policies.map((compiled) => compiled.policy),
    minimumSeverity: options.set.minimum,
  });
  return { report, failing: failingFindings(findings, options.set.failOn), lapsed, policies: policies.length };
};
