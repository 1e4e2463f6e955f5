import { wildcard } from '../model/index.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import type { PolicyProblem } from './schema.js';
import type { Policy } from './types.js';

/** A pattern with where it was written, so a typo is reported where the user can fix it. */
export interface SelectionEntry {
  readonly pattern: string;
  readonly origin: string;
  readonly path: string;
}

export interface PolicySelection {
  /** Policy ids (or `*`-globs over ids) to turn on, whatever their default. */
  readonly enable: readonly (string | SelectionEntry)[];
  /** Policy ids (or globs) to turn off. Disabling wins over enabling. */
  readonly disable: readonly (string | SelectionEntry)[];
  /** Run only these (ids or globs); empty means every enabled policy. */
  readonly only: readonly (string | SelectionEntry)[];
}

export interface SelectedPolicies {
  /** All known policies after overrides, whether active or not (for `policy list`). */
  readonly all: readonly Policy[];
  readonly active: readonly CompiledPolicy[];
  readonly problems: PolicyProblem[];
  /** Built-in policies replaced by a user policy with the same id. */
  readonly overridden: readonly string[];
}

/**
 * Merges built-in and user policies (a user policy replaces the built-in with the same id),
 * applies enable/disable/only, and compiles the active set. An id that names no policy is a
 * problem: a typo in configuration must not silently disable nothing.
 */
export const selectPolicies = (builtIn: readonly Policy[], user: readonly Policy[], selection: PolicySelection, origin: string): SelectedPolicies => {
  const byId = new Map<string, Policy>();
  const overridden: string[] = [];
  const problems: PolicyProblem[] = [];
  for (const policy of builtIn) byId.set(policy.id, policy);
  const userIds = new Set<string>();
  for (const policy of user) {
    if (userIds.has(policy.id)) {
      problems.push({
        origin: policy.origin,
        path: 'metadata.name',
        code: 'duplicate_id',
        message: `policy id ${policy.id} is defined twice (also in ${byId.get(policy.id)?.origin})`,
      });
      continue;
    }
    userIds.add(policy.id);
    if (byId.has(policy.id)) overridden.push(policy.id);
    byId.set(policy.id, policy);
  }
  const all = [...byId.values()];
  const resolve = (patterns: readonly (string | SelectionEntry)[], key: keyof PolicySelection): Set<string> => {
    const ids = new Set<string>();
    patterns.forEach((entry, index) => {
      const { pattern, origin: where, path } = typeof entry === 'string' ? { pattern: entry, origin, path: `policies.${key}[${index}]` } : entry;
      const expression = wildcard(pattern);
      const matched = all.filter((policy) => expression.test(policy.id));
      if (matched.length === 0) {
        problems.push({
          origin: where,
          path,
          code: 'unknown_policy',
          message: `no policy has the id ${JSON.stringify(pattern)}; see \`kubeward policy list\``,
        });
      }
      for (const policy of matched) ids.add(policy.id);
    });
    return ids;
  };
  const enabled = resolve(selection.enable, 'enable');
  const disabled = resolve(selection.disable, 'disable');
  const only = resolve(selection.only, 'only');
  const active: CompiledPolicy[] = [];
  for (const policy of all) {
    const on = selection.only.length > 0 ? only.has(policy.id) : policy.enabledByDefault || enabled.has(policy.id);
    if (!on || disabled.has(policy.id)) continue;
    const result = compilePolicy(policy);
    if ('problems' in result) problems.push(...result.problems);
    else active.push(result.compiled);
  }
  return { all, active, problems, overridden };
};
