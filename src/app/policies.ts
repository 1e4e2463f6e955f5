import { resolve } from 'node:path';
import type { PolicyProblem } from '../policy/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../policy/files/index.js';
import { selectPolicies, type SelectedPolicies, type SelectionEntry } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import type { Finding, Severity } from '../model/index.js';
import { applyIgnoreRules, type IgnoreRule } from '../policy/index.js';
import { loadConfig, type Config } from './config.js';
import { ConfigurationError } from './errors.js';

/** Which policies to run, besides what the configuration says. */
interface PolicySelection {
  /** Policy files or directories besides the configuration's. */
  readonly paths: readonly string[];
  readonly enable: readonly string[];
  readonly disable: readonly string[];
  readonly only: readonly string[];
  readonly builtIn: boolean;
  readonly cwd: string;
  /** Told about user policies that replace built-in ones (on purpose or by a clash of ids). */
  readonly warn?: (message: string) => void;
}

export interface PolicyOptions extends PolicySelection {
  readonly config: Config;
}

export const formatPolicyProblem = (problem: PolicyProblem): string => `${problem.origin}${problem.path ? ` ${problem.path}` : ''}: ${problem.message}`;

const fail = (problems: readonly PolicyProblem[]): never => {
  const [first, ...rest] = problems;
  throw new ConfigurationError(
    `${first ? formatPolicyProblem(first) : 'invalid policies'}${rest.length ? `\n${rest.map(formatPolicyProblem).join('\n')}` : ''}`,
    'fix the policy or configuration named above; `kubeward policy list` shows the known ids',
  );
};

/** Loads built-in and user policies and applies the configuration: the active, compiled set. */
export const resolvePolicies = async (options: PolicyOptions): Promise<SelectedPolicies> => {
  const builtIn: Policy[] = [];
  const user: Policy[] = [];
  const problems: PolicyProblem[] = [];
  if (options.builtIn && options.config.builtIn) {
    const loaded = await loadPolicyPath(builtInPolicyDirectory(), options.cwd);
    builtIn.push(...loaded.policies);
    problems.push(...loaded.problems);
  }
  for (const path of [...options.config.policyPaths, ...options.paths]) {
    const loaded = await loadPolicyPath(resolve(options.cwd, path), options.cwd);
    user.push(...loaded.policies);
    problems.push(...loaded.problems);
  }
  if (problems.length > 0) fail(problems);
  const configFile = options.config.file ?? '.kubeward.yaml';
  const fromConfig = (patterns: readonly string[], key: string): SelectionEntry[] =>
    patterns.map((pattern, index) => ({ pattern, origin: configFile, path: `policies.${key}[${index}]` }));
  const fromCommandLine = (patterns: readonly string[], flag: string): SelectionEntry[] =>
    patterns.map((pattern) => ({ pattern, origin: 'command line', path: flag }));
  const selected = selectPolicies(
    builtIn,
    user,
    {
      enable: [...fromConfig(options.config.enable, 'enable'), ...fromCommandLine(options.enable, '--enable')],
      disable: [...fromConfig(options.config.disable, 'disable'), ...fromCommandLine(options.disable, '--disable')],
      only: options.only.length > 0 ? fromCommandLine(options.only, '--only') : fromConfig(options.config.only, 'only'),
    },
    configFile,
  );
  if (selected.problems.length > 0) fail(selected.problems);
  for (const id of selected.overridden) {
    const replacement = user.find((policy) => policy.id === id);
    options.warn?.(`policy ${id} from ${replacement?.origin ?? 'a user policy file'} replaces the built-in policy with that id`);
  }
  return selected;
};

export interface PolicySetOptions extends PolicySelection {
  /** A configuration file to read instead of looking for `.kubeward.yaml` in `cwd`. */
  readonly configFile?: string | undefined;
  /** Overrides of the configuration's thresholds. */
  readonly failOn?: Severity | undefined;
  readonly severity?: Severity | undefined;
}

/**
 * Everything a job judges with, resolved once from `.kubeward.yaml` and the caller's flags: the
 * active policies, the thresholds and the configuration's exceptions (`ignore:` rules). Every
 * front end (scan, image check, risk, sensor, admission webhook) runs on one of these, so a rule
 * that silences a finding silences it everywhere.
 */
export interface PolicySet {
  readonly config: Config;
  readonly failOn: Severity;
  /** Findings below this severity are left out of reports (they still fail a gate). */
  readonly minimum: Severity;
  readonly policies: SelectedPolicies;
  readonly ignoreRules: readonly IgnoreRule[];
}

export const resolvePolicySet = async (options: PolicySetOptions): Promise<PolicySet> => {
  const config = await loadConfig(options.configFile, options.cwd);
  const policies = await resolvePolicies({ ...options, config });
  return {
    config,
    failOn: options.failOn ?? config.failOn ?? 'HIGH',
    minimum: options.severity ?? config.severityThreshold ?? 'LOW',
    policies,
    ignoreRules: config.ignore,
  };
};

/** An `ignore:` rule past its expiry date: its findings count again, and the user should hear so. */
export interface LapsedException {
  readonly file: string;
  readonly index: number;
  readonly rule: IgnoreRule;
}

/** Marks the findings the configuration's exceptions cover as suppressed (`by: config`). */
export const applyExceptions = (set: PolicySet, findings: readonly Finding[], now: Date): { findings: Finding[]; lapsed: LapsedException[] } => {
  const { findings: judged, lapsed } = applyIgnoreRules(findings, set.ignoreRules, now);
  return { findings: judged, lapsed: lapsed.map(({ index, rule }) => ({ file: set.config.file ?? '.kubeward.yaml', index, rule })) };
};

/** The rules of a set that have lapsed by `now`, to say so once when a long-running front end starts. */
export const lapsedExceptions = (set: PolicySet, now: Date): LapsedException[] => applyExceptions(set, [], now).lapsed;

export const describeLapsedException = (lapsed: LapsedException): string =>
  `${lapsed.file} ignore[${lapsed.index}] (policy ${lapsed.rule.policy}) expired on ${lapsed.rule.expires}; its findings are reported again`;
