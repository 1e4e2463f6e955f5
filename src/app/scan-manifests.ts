import { DEFAULT_LOAD_OPTIONS, type LoadOptions } from '../k8s/files/index.js';
import { severityRank, type Finding, type ScanReport, type Severity } from '../model/index.js';
import { buildScanReport } from '../report/index.js';
import { runScanJob } from '../manifest-scan/index.js';
import { applyExceptions, type LapsedException, type PolicySet } from './policies.js';

export interface ScanManifestsOptions {
  readonly set: PolicySet;
  /** Files, directories, Kustomize roots, Helm output, `-` for stdin. */
  readonly inputs: readonly string[];
  readonly cwd: string;
  readonly stdin: LoadOptions['stdin'];
  readonly now: Date;
  /** The tool's version, as the report names it. */
  readonly version: string;
  /** Overrides of the configuration's default namespace and exclusions (added to them). */
  readonly namespace?: string | undefined;
  readonly exclude?: readonly string[];
  readonly kubectl?: string | undefined;
  readonly threads?: number | undefined;
}

export interface ScanManifestsResult {
  readonly report: ScanReport;
  /** Findings that fail the gate, including those `minimum` leaves out of the report. */
  readonly failing: readonly Finding[];
  /** How many of the failing findings the report does not show (below its minimum severity). */
  readonly hiddenFailing: number;
  readonly lapsed: readonly LapsedException[];
  readonly celErrors: number;
  readonly threads: number;
}

/** Findings that fail a gate: at or above `failOn`, or raised by a policy enforced at BUILD. Suppressed ones never fail it. */
export const failingFindings = (findings: readonly Finding[], failOn: Severity): Finding[] => {
  const threshold = severityRank(failOn);
  return findings.filter((finding) => !finding.suppressed && (severityRank(finding.severity) >= threshold || finding.enforcedAt.includes('BUILD')));
};

/**
 * `scan`: reads manifests, judges them with the set's BUILD and DEPLOY policies, applies its
 * exceptions and builds the report. The gate judges every finding, including those the report's
 * minimum severity leaves out: hiding is not allowing.
 */
export const scanManifests = async (options: ScanManifestsOptions): Promise<ScanManifestsResult> => {
  const { set } = options;
  const result = await runScanJob(options.inputs, {
    load: {
      ...DEFAULT_LOAD_OPTIONS,
      cwd: options.cwd,
      stdin: options.stdin,
      defaultNamespace: options.namespace ?? set.config.namespace ?? DEFAULT_LOAD_OPTIONS.defaultNamespace,
      exclude: [...set.config.exclude, ...(options.exclude ?? [])],
      kubectl: options.kubectl ?? DEFAULT_LOAD_OPTIONS.kubectl,
    },
    policies: set.policies.active,
    now: options.now,
    stages: ['BUILD', 'DEPLOY'],
    knownPolicyIds: set.policies.all.map((policy) => policy.id),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  const { findings, lapsed } = applyExceptions(set, result.findings, options.now);
  const report = buildScanReport({
    version: options.version,
    inputs: options.inputs,
    files: result.files,
    documents: result.documents,
    kinds: result.kinds,
    findings,
    problems: result.problems,
    policies: set.policies.active.map((compiled) => compiled.policy),
    minimumSeverity: set.minimum,
  });
  const failing = failingFindings(findings, set.failOn);
  return {
    report,
    failing,
    hiddenFailing: failing.length - failingFindings(report.findings, set.failOn).length,
    lapsed,
    celErrors: result.celErrors,
    threads: result.threads,
  };
};
