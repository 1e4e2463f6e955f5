import { applyExceptions, databaseDirectory, failingFindings, openVulnDb } from '../../app/index.js';
import { ImageSourceError, scanImage } from '../../image/index.js';
import { buildSnapshot, normaliseDocument } from '../../k8s/index.js';
import { SEVERITIES, type ImageScan } from '../../model/index.js';
import { evaluatePolicies, isImagePolicy, type CompiledPolicy } from '../../policy/index.js';
import { buildScanReport, FORMAT_NAMES } from '../../report/index.js';
import type { VulnerabilityDatabase } from '../../vulndb/store/index.js';
import { EXIT, KnownError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { imageCache, openNamedImage, type ImageScanCliOptions } from './image.js';
import { policyGate, warnLapsed, type PolicyGateFlags } from '../policy-gate.js';
import { writeReport } from '../write-report.js';

export interface ImageCheckOptions extends ImageScanCliOptions, PolicyGateFlags {
  /** The image name policies see (tag, registry) when the reference is a local path. */
  readonly name?: string;
}

/**
 * The image as a one-container Pod: image policies are container policies, and this way the
 * same policies judge an image before deployment and the workloads that run it afterwards.
 */
const imageAsPod = (reference: string, name: string) => {
  const podName = name.replace(/[@:].*$/, '').split('/').pop()?.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'image';
  const document = { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: 'image' }, spec: { containers: [{ name: 'image', image: name }] } };
  return buildSnapshot(normaliseDocument(document, { file: reference, documentIndex: 0, defaultNamespace: 'image' }).objects);
};

/** `kubeward image check <image>`: BUILD-stage image policies over one image, with `kubeward scan`'s exit codes. */
export const runImageCheck = async (reference: string, options: ImageCheckOptions, io: Io): Promise<number> => {
  if (!(FORMAT_NAMES as readonly string[]).includes(options.format)) throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${FORMAT_NAMES.join(', ')}`);
  const set = await policyGate({ ...options, quiet: options.quiet ?? false }, io);
  const { failOn, minimum, policies: selected } = set;
  const policies: CompiledPolicy[] = selected.active.filter((compiled) => compiled.policy.lifecycleStages.includes('BUILD') && isImagePolicy(compiled));
  let database: VulnerabilityDatabase | undefined;
  if (options.vulnerabilities) {
    database = openVulnDb(databaseDirectory(options.db, io.env, io.cwd), 'or check the image without vulnerability policies: --no-vulnerabilities');
  }
  const started = performance.now();
  let scan: ImageScan;
  let imageName: string | undefined;
  try {
    const image = await openNamedImage(reference, options, io);
    imageName = image.name;
    const cache = imageCache(options, io);
    try {
      scan = await scanImage(image, {
        ...(database ? { advisories: database } : {}),
        ...(cache ? { cache, warn: (message: string) => io.stderr(`kubeward: warning: ${message}\n`) } : {}),
        ...(options.quiet ? {} : { progress: (message: string) => io.stderr(`kubeward: ${message}\n`) }),
      });
    } catch (error) {
      if (error instanceof ImageSourceError) throw new KnownError(error.message, error.hint);
      throw error;
    }
  } finally {
    database?.close();
  }
  // Registry images are named as pulled, docker archives by their tag; others by --name, else by digest.
  const name = options.name ?? imageName ?? `local/${reference.replace(/[/\\]+$/, '').split(/[/\\]/).pop()?.replace(/^(oci|oci-archive|docker-archive):/, '').replace(/[^a-zA-Z0-9._-]/g, '-').toLowerCase() || 'image'}@${scan.image.digest}`;
  const snapshot = imageAsPod(reference, name);
  const { findings: raw } = evaluatePolicies(snapshot, policies, { now: io.now(), stages: ['BUILD'], imageScan: () => scan });
  const { findings, lapsed } = applyExceptions(set, raw, io.now());
  warnLapsed(lapsed, io);
  const report = buildScanReport({
    version: io.version,
    inputs: [reference],
    files: 1,
    documents: 1,
    kinds: { Pod: 1 },
    findings,
    problems: scan.problems.map((problem) => ({ level: 'warning' as const, code: 'image' as const, file: problem.path ?? reference, message: problem.message })),
    policies: policies.map((compiled) => compiled.policy),
    minimumSeverity: minimum,
  });
  await writeReport(report, options, io);
  if (!options.quiet) {
    const { summary } = report;
    io.stderr(
      `kubeward: ${name}: ${policies.length} image policies, ${summary.findings} findings (${SEVERITIES.map((level) => `${summary.bySeverity[level]} ${level}`).join(', ')}); ${scan.packages.length} packages, ${scan.vulnerabilities.length} vulnerabilities${database ? '' : ' (not matched: --no-vulnerabilities)'}; ${((performance.now() - started) / 1000).toFixed(2)}s\n`,
    );
  }
  if (!options.fail) return EXIT.clean;
  return failingFindings(findings, failOn).length > 0 ? EXIT.findings : EXIT.clean;
};
