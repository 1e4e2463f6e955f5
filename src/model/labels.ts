import type { CalicoSelector, CniSelection, LabelSelector, Labels } from './objects.js';

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

export const isEmptySelector = (selector: LabelSelector): boolean => Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;

/** Calico's selector semantics: `!=` and `not in` hold for a missing label, `contains` and friends need it. */
export const calicoSelectorMatches = (selector: CalicoSelector, labels: Labels): boolean => {
  switch (selector.op) {
    case 'all':
      return true;
    case 'has':
      return Object.hasOwn(labels, selector.key);
    case 'missing':
      return !Object.hasOwn(labels, selector.key);
    case '==':
      return labels[selector.key] === selector.value;
    case '!=':
      return labels[selector.key] !== selector.value;
    case 'contains':
      return labels[selector.key]?.includes(selector.value) ?? false;
    case 'starts with':
      return labels[selector.key]?.startsWith(selector.value) ?? false;
    case 'ends with':
      return labels[selector.key]?.endsWith(selector.value) ?? false;
    case 'in':
      return Object.hasOwn(labels, selector.key) && selector.values.includes(labels[selector.key] as string);
    case 'not in':
      return !Object.hasOwn(labels, selector.key) || !selector.values.includes(labels[selector.key] as string);
    case 'not':
      return !calicoSelectorMatches(selector.operand, labels);
    case 'and':
      return selector.operands.every((operand) => calicoSelectorMatches(operand, labels));
    case 'or':
      return selector.operands.some((operand) => calicoSelectorMatches(operand, labels));
  }
};

export const cniSelectionMatches = (selection: CniSelection, labels: Labels): boolean =>
  selection.dialect === 'calico' ? calicoSelectorMatches(selection.selector, labels) : selectorMatches(selection.selector, labels);
