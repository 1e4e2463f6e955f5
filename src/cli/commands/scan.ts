import { setFlagsFromString } from 'node:v8';
import { scanManifests } from '../../app/index.js';
import { SEVERITIES, type Finding, type ScanReport } from '../../model/index.js';
import { FORMAT_NAMES } from '../../report/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { policyGate, warnLapsed, type PolicyGateFlags } from '../policy-gate.js';
import type { PushFlags } from '../push.js';
import { writeReport } from '../write-report.js';

export interface ScanOptions extends PolicyGateFlags, PushFlags {
  readonly format: string;
  readonly output?: string;
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

/**
 * Exit status of a scan: input errors win, then failing findings, else clean. The gate judges
 * every finding, including those `--severity` leaves out of the report: hiding is not allowing.
 */
export const scanExitCode = (report: ScanReport, failing: readonly Finding[], failOnFindings: boolean): number => {
  if (report.summary.errors > 0) return EXIT.error;
  if (!failOnFindings) return EXIT.clean;
  return failing.length > 0 ? EXIT.findings : EXIT.clean;
};

/** `kubeward scan`: load manifests, evaluate BUILD and DEPLOY policies, render, and decide the exit code. */
export const runScan = async (inputs: readonly string[], options: ScanOptions, io: Io): Promise<number> => {
  if (!(FORMAT_NAMES as readonly string[]).includes(options.format)) {
    throw new UsageError(`unknown format ${JSON.stringify(options.format)}; use one of ${FORMAT_NAMES.join(', ')}`);
  }
  if (inputs.length === 0) throw new UsageError('nothing to scan: give files, directories or - for stdin', 'kubeward scan examples/');
  const set = await policyGate(options, io);
  if (inputs.includes('-') && io.stdinIsTTY) io.stderr('kubeward: reading manifests from standard input (end with Ctrl-D)\n');
  // A scan keeps its findings and a light copy of every object while garbage streams through.
  // V8 lets the old generation grow to several times what survived the last full collection
  // before collecting again; 30% keeps the peak near the live set (measured on the 10,000-workload
  // benchmark with every policy: 430 MB -> 370 MB peak RSS, time within run-to-run noise).
  setFlagsFromString('--heap-growing-percent=30');
  const started = performance.now();
  const { report, failing, hiddenFailing, lapsed, celErrors } = await scanManifests({
    set,
    inputs,
    cwd: io.cwd,
    stdin: io.readStdin,
    now: io.now(),
    version: io.version,
    namespace: options.namespace,
    exclude: options.exclude,
    kubectl: options.kubectl ?? io.env.KUBECTL,
    threads: options.threads === undefined ? undefined : threadCount(options.threads),
  });
  warnLapsed(lapsed, io);
  const format = await writeReport(report, options, io);
  if (!options.quiet && (format !== 'table' || options.output)) {
    const { summary } = report;
    io.stderr(
      `kubeward: ${summary.findings} findings (${SEVERITIES.map((level) => `${summary.bySeverity[level]} ${level}`).join(', ')}), ${summary.errors} input error${summary.errors === 1 ? '' : 's'}, ${summary.objects} object${summary.objects === 1 ? '' : 's'} in ${summary.files} file${summary.files === 1 ? '' : 's'}, ${((performance.now() - started) / 1000).toFixed(2)}s\n`,
    );
  }
  if (report.summary.objects === 0 && report.summary.errors === 0) {
    io.stderr(`kubeward: warning: no Kubernetes objects found in ${inputs.join(' ')} (only .yaml, .yml and .json files are read from directories)\n`);
  }
  if (celErrors > 0 && !options.quiet) {
    io.stderr(
      `kubeward: ${celErrors} CEL evaluations failed at run time or were over the cost budget (1,000,000, as in Kubernetes), and counted as not matching\n`,
    );
  }
  if (options.fail && hiddenFailing > 0) {
    io.stderr(
      `kubeward: ${hiddenFailing} failing finding${hiddenFailing === 1 ? ' is' : 's are'} below --severity ${set.minimum} and left out of the report; the scan fails on them all the same\n`,
    );
  }
  // Loaded when used: the client for central is not every scan's cost.
  if (options.push) await (await import('../push.js')).pushTo(options.push, options, 'manifests', report, io);
  return scanExitCode(report, failing, options.fail);
};
