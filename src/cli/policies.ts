import { resolve } from 'node:path';
import type { PolicyProblem } from '../policy/index.js';
import { builtInPolicyDirectory, loadPolicyPath } from '../policy/files.js';
import { selectPolicies, type SelectedPolicies } from '../policy/index.js';
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
  const selected = selectPolicies(
    builtIn,
    user,
    {
      enable: [...options.config.enable, ...options.enable],
      disable: [...options.config.disable, ...options.disable],
      only: options.only.length > 0 ? options.only : options.config.only,
    },
    options.config.file ?? 'command line',
  );
  if (selected.problems.length > 0) fail(selected.problems);
  return selected;
};
