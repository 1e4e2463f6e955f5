import type { LabelSelector, Labels } from './objects.js';

/** metav1.LabelSelector semantics: every matchLabels pair and every expression must hold; `{}` matches all. */
export const selectorMatches = (selector: LabelSelector, labels: Labels): boolean => {
  for (const key in selector.matchLabels) if (labels[key] !== selector.matchLabels[key]) return false;
  for (const { key, operator, values } of selector.matchExpressions) {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
};

/** A Service-style selector (a plain map): every pair must match; an empty map selects nothing, as for Services. */
export const mapSelectorMatches = (selector: Labels, labels: Labels): boolean => {
  let any = false;
  for (const key in selector) {
    if (labels[key] !== selector[key]) return false;
    any = true;
  }
  return any;
};

export const isEmptySelector = (selector: LabelSelector): boolean =>
  Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
