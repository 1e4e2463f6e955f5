import { wildcard, type Finding } from '../model/index.js';
import { compileGlobs } from '../k8s/index.js';

/**
 * A suppression written in configuration (`.kubeward.yaml` `ignore:`), for findings no annotation
 * can reach: a namespace no manifest declares, a chart the team does not own, a known exception
 * with an end date. Every given criterion must hold; `*` and `?` are wildcards.
 */
export interface IgnoreRule {
  /** Policy id or glob (`*` for every policy). */
  readonly policy: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly name?: string;
  /** Glob over the reported file (`charts/**`, `legacy.yaml`). */
  readonly file?: string;
  /** Glob over the image of the finding's container (any container's image when it names none). */
  readonly image?: string;
  readonly reason?: string;
  /** An approved exception in central: its findings are suppressed `by: exception`, naming it. */
  readonly exception?: string;
  /** ISO date or timestamp after which the rule lapses. */
  readonly expires?: string;
}

export interface LapsedRule {
  readonly index: number;
  readonly rule: IgnoreRule;
}

/**
 * Marks the findings that an active rule matches as suppressed (`by: config`), leaving the
 * others as they are; annotation suppressions are kept. Returns the rules that have lapsed so the
 * caller can say so: an expired exception should be noticed, not silently enforced.
 */
export const applyIgnoreRules = (
  findings: readonly Finding[],
  rules: readonly IgnoreRule[],
  now: Date,
  /** The images a finding is about, for rules with `image`: none known, no image rule matches. */
  imagesOf: (finding: Finding) => readonly string[] = () => [],
): { findings: Finding[]; lapsed: LapsedRule[] } => {
  const lapsed: LapsedRule[] = [];
  const active = rules.flatMap((rule, index) => {
    if (rule.expires !== undefined && Date.parse(rule.expires) <= now.getTime()) {
      lapsed.push({ index, rule });
      return [];
    }
    const policy = wildcard(rule.policy);
    const namespace = rule.namespace === undefined ? undefined : wildcard(rule.namespace);
    const kind = rule.kind === undefined ? undefined : wildcard(rule.kind);
    const name = rule.name === undefined ? undefined : wildcard(rule.name);
    const file = rule.file === undefined ? undefined : compileGlobs([rule.file]);
    const image = rule.image === undefined ? undefined : wildcard(rule.image);
    const matches = (finding: Finding): boolean =>
      policy.test(finding.policyId) &&
      // A Namespace is in its own namespace, as far as rules go: `namespace: legacy` reaches the Namespace legacy.
      (namespace === undefined || namespace.test(finding.object.kind === 'Namespace' ? finding.object.name : (finding.object.namespace ?? ''))) &&
      (kind === undefined || kind.test(finding.object.kind)) &&
      (name === undefined || name.test(finding.object.name)) &&
      (file === undefined || file(finding.location.file)) &&
      (image === undefined || imagesOf(finding).some((reference) => image.test(reference)));
    return [{ rule, matches }];
  });
  if (active.length === 0) return { findings: [...findings], lapsed };
  return {
    findings: findings.map((finding) => {
      if (finding.suppressed) return finding;
      const hit = active.find((entry) => entry.matches(finding));
      if (!hit) return finding;
      const { reason, exception } = hit.rule;
      return { ...finding, suppressed: { by: exception ? 'exception' : 'config', ...(reason ? { reason } : {}), ...(exception ? { exception } : {}) } };
    }),
    lapsed,
  };
};
