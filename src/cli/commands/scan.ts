import { writeFile } from 'node:fs/promises';
import { DEFAULT_LOAD_OPTIONS, buildSnapshot, loadInputs } from '../../k8s/index.js';
import { SEVERITIES, severityRank, type ScanReport, type Severity } from '../../model/index.js';
import { evaluatePolicies } from '../../policy/index.js';
import { FORMAT_NAMES, RENDERERS, buildScanReport, type FormatName } from '../../report/index.js';
import { loadConfig } from '../config.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { resolvePolicies } from '../policies.js';

export interface ScanOptions {
  readonly format: string;
  readonly output?: string;
  readonly failOn?: string;
  readonly fail: boolean;
  readonly severity?: string;
  readonly config?: string;
  readonly policies: readonly string[];
  readonly enable: readonly string[];
  readonly disable: readonly string[];
  readonly only: readonly string[];
  readonly builtinPolicies: boolean;
  readonly namespace?: string;
  readonly exclude: readonly string[];
  readonly kubectl?: string;
  readonly color?: boolean;
  readonly quiet: boolean;
}

const severity = (value: string | undefined, flag: string): Severity | undefined => {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(SEVERITIES as readonly string[]).includes(upper)) {
    throw new UsageError(`${flag} must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return upper as Severity;
};

/** Exit status of a scan: input errors win, then failing findings, else clean. */
export const scanExitCode = (report: ScanReport, failOn: Severity, failOnFindings: boolean): number => {
  if (report.summary.errors > 0) return EXIT.error;
  if (!failOnFindings) return EXIT.clean;
  const threshold = severityRank(failOn);
  const failing = report.findings.some(
    (finding) => severityRank(finding.severity) >= threshold || finding.enforcedAt.includes('BUILD'),
  );
  return failing ? EXIT.findings : EXIT.clean;
};

/** `kubeward scan`: load manifests, evaluate BUILD and DEPLOY policies, render, and decide the exit code. */
export const runScan = async (inputs: readonly string[], options: ScanOptions, io: Io): Promise<number> => {
  if (!(FORMAT_NAMES as readonly string[]).includes(options.format)) {
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${FORMAT_NAMES.join(', ')}`);
  }
  if (inputs.length === 0) throw new UsageError('nothing to scan: give files, directories or - for stdin', 'kubeward scan examples/');
  const config = await loadConfig(options.config, io.cwd);
  const failOn = severity(options.failOn, '--fail-on') ?? config.failOn ?? 'HIGH';
  const minimum = severity(options.severity, '--severity') ?? config.severityThreshold ?? 'LOW';
  const policies = await resolvePolicies({
    config,
    paths: options.policies,
    enable: options.enable,
    disable: options.disable,
    only: options.only,
    builtIn: options.builtinPolicies,
    cwd: io.cwd,
  });
  const started = performance.now();
  const loaded = await loadInputs(inputs, {
    ...DEFAULT_LOAD_OPTIONS,
    cwd: io.cwd,
    stdin: io.readStdin,
    defaultNamespace: options.namespace ?? config.namespace ?? DEFAULT_LOAD_OPTIONS.defaultNamespace,
    exclude: [...config.exclude, ...options.exclude],
    kubectl: options.kubectl ?? io.env.KUBECTL ?? DEFAULT_LOAD_OPTIONS.kubectl,
  });
  const snapshot = buildSnapshot(loaded.objects);
  const evaluation = evaluatePolicies(snapshot, policies.active, {
    now: io.now(),
    stages: ['BUILD', 'DEPLOY'],
    locate: loaded.locate,
  });
  const report = buildScanReport({
    version: io.version,
    inputs,
    files: loaded.files,
    documents: loaded.documents,
    objects: loaded.objects,
    findings: evaluation.findings,
    problems: loaded.problems,
    policies: policies.active.map((compiled) => compiled.policy),
    minimumSeverity: minimum,
  });
  const format = options.format as FormatName;
  const color = options.output === undefined && (options.color ?? io.stdoutIsTTY) && format === 'table';
  const text = RENDERERS[format].render(report, { color });
  if (options.output) await writeFile(options.output, text);
  else io.stdout(text);
  if (!options.quiet && (format !== 'table' || options.output)) {
    const { summary } = report;
    io.stderr(
      `kubeward: ${summary.findings} findings (${SEVERITIES.map((level) => `${summary.bySeverity[level]} ${level}`).join(', ')}), ${summary.errors} input errors, ${summary.objects} objects in ${summary.files} files, ${((performance.now() - started) / 1000).toFixed(2)}s\n`,
    );
  }
  if (evaluation.stats.celErrors > 0 && !options.quiet) {
    io.stderr(`kubeward: ${evaluation.stats.celErrors} CEL evaluations failed at run time and counted as not matching\n`);
  }
  return scanExitCode(report, failOn, options.fail);
};
