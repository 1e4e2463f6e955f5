import type { LabelSelector, LabelSelectorRequirement } from '../model/index.js';
import { dicts, isDict, str, stringMap, strings } from './values.js';

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Reads a metav1.LabelSelector; `undefined` when the field is absent (not the same as `{}`, which matches all). */
export const labelSelector = (value: unknown): LabelSelector | undefined => {
  if (!isDict(value)) return undefined;
  return {
    matchLabels: stringMap(value.matchLabels),
    matchExpressions: dicts(value.matchExpressions).flatMap((expression): LabelSelectorRequirement[] => {
      const operator = str(expression.operator) ?? '';
      if (!OPERATORS.has(operator)) return [];
      return [
        {
          key: str(expression.key) ?? '',
          operator: operator as LabelSelectorRequirement['operator'],
          values: strings(expression.values),
        },
      ];
    }),
  };
};
