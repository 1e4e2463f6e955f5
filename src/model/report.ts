import type { Finding, Severity } from './finding.js';
import type { InputProblem } from './problem.js';

/** Version of the `kubeward scan --format json` document; bumped on any incompatible change. */
/**
 * The version of every report Kubeward writes, in one place: a report's JSON is the same from the
 * CLI and from the server, and a change to one of its fields bumps its version here.
 */
export const REPORT_SCHEMA_VERSIONS = {
  scan: '1.0',
  image: '1.0',
  risk: '1.1',
  networkMap: '1.0',
  rbac: '1.0',
  dbStatus: '1.0',
  policyExplain: '1.0',
} as const;

export const SCAN_REPORT_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.scan;

export interface PolicySummary {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  readonly rationale: string;
  readonly remediation: string;
  readonly categories: readonly string[];
  readonly enforcement: readonly string[];
  readonly references: Readonly<Record<string, unknown>>;
}

export interface ScanSummary {
  readonly files: number;
  readonly documents: number;
  readonly objects: number;
  readonly workloads: number;
  /** Objects per kind, for every kind read. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Kinds the model does not normalise (CRDs and the like): read, counted, checked only by `Object` policies. */
  readonly unknownKinds: Readonly<Record<string, number>>;
  readonly policies: number;
  readonly findings: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly suppressed: number;
  /** Findings left out because they are below `--severity`; they still count for `--fail-on` and enforcement. */
  readonly belowSeverity: number;
  readonly errors: number;
  readonly warnings: number;
}

/** Everything a scan produced; every output format renders this one value. */
export interface ScanReport {
  readonly schemaVersion: typeof SCAN_REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'kubeward'; readonly version: string };
  readonly inputs: readonly string[];
  readonly summary: ScanSummary;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly Finding[];
  readonly problems: readonly InputProblem[];
  /** The policies that ran, for rule metadata (SARIF rules, JUnit suites). */
  readonly policies: readonly PolicySummary[];
}
