import { describeLapsedException, resolvePolicySet, type LapsedException, type PolicySet } from '../app/index.js';
import { SEVERITIES, type Severity } from '../model/index.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** The policy gate's flags, shared by `scan` and `image check`. */
/** Which policies a command runs: the configuration file, extra policy paths, and selection flags. */
export interface PolicySelectionFlags {
  readonly config?: string;
  readonly policies: readonly string[];
  readonly enable: readonly string[];
  readonly disable: readonly string[];
  readonly only: readonly string[];
  readonly builtinPolicies: boolean;
}

export interface PolicyGateFlags extends PolicySelectionFlags {
  readonly failOn?: string;
  readonly fail: boolean;
  readonly severity?: string;
}

export const severity = (value: string | undefined, flag: string): Severity | undefined => {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(SEVERITIES as readonly string[]).includes(upper)) {
    throw new UsageError(`${flag} must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return upper as Severity;
};

export type PolicyGateOptions = Omit<PolicyGateFlags, 'fail'> & { readonly quiet: boolean };

/**
 * The policy set a command runs with (`.kubeward.yaml`, policy flags, thresholds), resolved by
 * the use-case layer; warnings go to stderr unless --quiet.
 */
export const policyGate = async (options: PolicyGateOptions, io: Io): Promise<PolicySet> =>
  resolvePolicySet({
    configFile: options.config,
    paths: options.policies,
    enable: options.enable,
    disable: options.disable,
    only: options.only,
    builtIn: options.builtinPolicies,
    cwd: io.cwd,
    failOn: severity(options.failOn, '--fail-on'),
    severity: severity(options.severity, '--severity'),
    ...(options.quiet ? {} : { warn: (message: string) => io.stderr(`kubeward: warning: ${message}\n`) }),
  });

/** Says which `ignore:` rules have lapsed: an expired exception should be noticed, not silently enforced. */
export const warnLapsed = (lapsed: readonly LapsedException[], io: Io): void => {
  for (const rule of lapsed) io.stderr(`kubeward: warning: ${describeLapsedException(rule)}\n`);
};
