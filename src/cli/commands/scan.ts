import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { DEFAULT_LOAD_OPTIONS } from '../../k8s/index.js';
import { SEVERITIES, severityRank, type ScanReport, type Severity } from '../../model/index.js';
import { runScanJob } from '../../scan/run.js';
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
  readonly threads?: string;
}

const threadCount = (value: string): number => {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new UsageError(`--threads must be a whole number from 1 to 64 (got ${JSON.stringify(value)})`);
  return count;
};

const severity = (value: string | undefined, flag: string): Severity | undefined => {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(SEVERITIES as readonly string[]).includes(upper)) {
    throw new UsageError(`${flag} must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return upper as Severity;
};

/** Writes rendered pieces to a file, waiting whenever the stream's buffer is full. */
const writeChunks = async (stream: WriteStream, chunks: Iterable<string>): Promise<void> => {
  for (const chunk of chunks) if (!stream.write(chunk)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
};

/** Joins rendered pieces into writes of about a megabyte. */
function* chunked(chunks: Iterable<string>): Generator<string> {
  let buffer = '';
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length > 1 << 20) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

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
  if (inputs.includes('-') && io.stdinIsTTY) io.stderr('kubeward: reading manifests from standard input (end with Ctrl-D)\n');
  const started = performance.now();
  const loadOptions = {
    ...DEFAULT_LOAD_OPTIONS,
    cwd: io.cwd,
    stdin: io.readStdin,
    defaultNamespace: options.namespace ?? config.namespace ?? DEFAULT_LOAD_OPTIONS.defaultNamespace,
    exclude: [...config.exclude, ...options.exclude],
    kubectl: options.kubectl ?? io.env.KUBECTL ?? DEFAULT_LOAD_OPTIONS.kubectl,
  };
  const result = await runScanJob(inputs, {
    load: loadOptions,
    policies: policies.active,
    now: io.now(),
    stages: ['BUILD', 'DEPLOY'],
    ...(options.threads === undefined ? {} : { threads: threadCount(options.threads) }),
  });
  const report = buildScanReport({
    version: io.version,
    inputs,
    files: result.files,
    documents: result.documents,
    kinds: result.kinds,
    findings: result.findings,
    problems: result.problems,
    policies: policies.active.map((compiled) => compiled.policy),
    minimumSeverity: minimum,
  });
  const format = options.format as FormatName;
  const color = options.output === undefined && (options.color ?? io.stdoutIsTTY) && format === 'table';
  const chunks = RENDERERS[format].render(report, { color });
  if (options.output) await writeChunks(createWriteStream(options.output), chunks);
  else await io.stdout(chunked(chunks));
  if (!options.quiet && (format !== 'table' || options.output)) {
    const { summary } = report;
    io.stderr(
      `kubeward: ${summary.findings} findings (${SEVERITIES.map((level) => `${summary.bySeverity[level]} ${level}`).join(', ')}), ${summary.errors} input errors, ${summary.objects} objects in ${summary.files} files, ${((performance.now() - started) / 1000).toFixed(2)}s\n`,
    );
  }
  if (report.summary.objects === 0 && report.summary.errors === 0) {
    io.stderr(`kubeward: warning: no Kubernetes objects found in ${inputs.join(' ')} (only .yaml, .yml and .json files are read from directories)\n`);
  }
  if (result.celErrors > 0 && !options.quiet) {
    io.stderr(`kubeward: ${result.celErrors} CEL evaluations failed at run time and counted as not matching\n`);
  }
  return scanExitCode(report, failOn, options.fail);
};
