import { isEmptySelector, selectorMatches, type Labels, type LabelSelector, type PodAffinityTerm, type TopologySpreadConstraint } from '../../model/index.js';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Whether a namespace selector takes in the workload's namespace. Every namespace carries its name
 * as `kubernetes.io/metadata.name`, so selectors on that label are decided here; any other label
 * is not known from manifests, and the selector is given the benefit of the doubt.
 */
const namespaceSelectorIncludes = (selector: LabelSelector, namespace: string): boolean => {
  if (isEmptySelector(selector)) return true;
  const keys = [...Object.keys(selector.matchLabels), ...selector.matchExpressions.map((expression) => expression.key)];
  if (keys.some((key) => key !== NAMESPACE_NAME_LABEL)) return true;
  return selectorMatches(selector, { [NAMESPACE_NAME_LABEL]: namespace });
};

/**
 * Why a pod anti-affinity term does not keep the workload's own replicas apart, or `undefined`
 * when it does: the scheduler counts the pods the term selects, in the namespaces it names (its
 * own when it names none), so a term for other pods spreads nothing of this workload.
 * `matchLabelKeys` only narrows the selector to pods with the incoming pod's values, which the
 * workload's own pods have; `mismatchLabelKeys` excludes exactly them.
 */
export const antiAffinityGap = (term: PodAffinityTerm, podLabels: Labels, namespace: string): string | undefined => {
  if (term.topologyKey === '') return 'it has no topologyKey';
  if (!term.labelSelector) return 'it has no labelSelector, so it selects no pod';
  if (!selectorMatches(term.labelSelector, podLabels)) return "its labelSelector does not select the workload's own pod labels";
  const mismatched = term.mismatchLabelKeys.filter((key) => Object.hasOwn(podLabels, key));
  if (mismatched.length > 0) return `its mismatchLabelKeys (${mismatched.join(', ')}) exclude the workload's own pods`;
  const inOwnNamespace =
    (term.namespaces.length === 0 && !term.namespaceSelector) ||
    term.namespaces.includes(namespace) ||
    (term.namespaceSelector !== undefined && namespaceSelectorIncludes(term.namespaceSelector, namespace));
  if (!inOwnNamespace)
    return `it counts pods in ${term.namespaces.length > 0 ? `namespaces ${term.namespaces.join(', ')}` : 'other namespaces'}, not in ${namespace}`;
  return undefined;
};

/** Why a topology spread constraint does not spread the workload's own pods, or `undefined` when it does. */
export const spreadGap = (constraint: TopologySpreadConstraint, podLabels: Labels): string | undefined => {
  if (constraint.topologyKey === '') return 'it has no topologyKey';
  if (!constraint.labelSelector) return 'it has no labelSelector, so it counts no pod';
  if (!selectorMatches(constraint.labelSelector, podLabels)) return "its labelSelector does not select the workload's own pod labels";
  return undefined;
};
