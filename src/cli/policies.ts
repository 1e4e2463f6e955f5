import { resolve } from 'node:path';
import type { PolicyProblem } from '../policy/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../policy/files.js';
import { selectPolicies, type SelectedPolicies, type SelectionEntry } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import type { Config } from './config.js';
import { ConfigurationError } from './errors.js';

export interface PolicyOptions {
  readonly config: Config;
  /** Policy files or directories given on the command line. */
  readonly paths: readonly string[];
  readonly enable: readonly string[];
  readonly disable: readonly string[];
  readonly only: readonly string[];
  readonly builtIn: boolean;
  readonly cwd: string;
  /** Told about user policies that replace built-in ones (on purpose or by a clash of ids). */
  readonly warn?: (message: string) => void;
}

export const formatPolicyProblem = (problem: PolicyProblem): string =>
  `${problem.origin}${problem.path ? ` ${problem.path}` : ''}: ${problem.message}`;

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
