import type { EnvSource, PolicyRule } from '../model/index.js';
import { parsePermission, ruleGrants } from '../rbac/index.js';
import { policyRegExp } from './regex.js';
import { type CandidateValue, type EnvCandidate, type KeyValue, type ValueType } from './fields/index.js';

export type Matcher = (value: CandidateValue) => boolean;

export type MatcherResult = { readonly matcher: Matcher } | { readonly error: string };

/** String values are regular expressions matched against the whole value, ignoring case (as in StackRox). */
const wholeRegExp = (pattern: string): RegExp | string => {
  const compiled = policyRegExp(pattern, true);
  return typeof compiled === 'string' ? `invalid regular expression ${JSON.stringify(pattern)}: ${compiled}` : compiled;
};

const NUMBER = /^\s*(<=|>=|<|>|==|=|!=)?\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*$/i;

const compareNumber =
  (operator: string, expected: number) =>
  (actual: number): boolean => {
    switch (operator) {
      case '<':
        return actual < expected;
      case '<=':
        return actual <= expected;
      case '>':
        return actual > expected;
      case '>=':
        return actual >= expected;
      case '!=':
        return actual !== expected;
      default:
        return actual === expected;
    }
  };

const ENV_SOURCES: ReadonlySet<string> = new Set<EnvSource>(['RAW', 'SECRET_KEY', 'CONFIG_MAP_KEY', 'FIELD', 'RESOURCE_FIELD', 'UNSET']);

/** Compiles one policy value for a field type; errors are returned as text for the policy's problem list. */
export const compileMatcher = (type: ValueType, value: string): MatcherResult => {
  switch (type) {
    case 'boolean': {
      const lower = value.trim().toLowerCase();
      if (lower !== 'true' && lower !== 'false') return { error: `expected true or false, got ${JSON.stringify(value)}` };
      const expected = lower === 'true';
      return { matcher: (candidate) => candidate === expected };
    }
    case 'number': {
      const match = NUMBER.exec(value);
      if (!match) return { error: `expected a number with an optional comparator (<, <=, >, >=, =, !=), got ${JSON.stringify(value)}` };
      const test = compareNumber(match[1] ?? '=', Number(match[2]));
      return { matcher: (candidate) => typeof candidate === 'number' && test(candidate) };
    }
    case 'string': {
      const expression = wholeRegExp(value);
      if (typeof expression === 'string') return { error: expression };
      return { matcher: (candidate) => typeof candidate === 'string' && expression.test(candidate) };
    }
    case 'keyValue': {
      const equals = value.indexOf('=');
      const keyExpression = wholeRegExp(equals < 0 ? value : value.slice(0, equals) || '.*');
      const valueExpression = wholeRegExp(equals < 0 ? '.*' : value.slice(equals + 1) || '.*');
      if (typeof keyExpression === 'string') return { error: keyExpression };
      if (typeof valueExpression === 'string') return { error: valueExpression };
      return {
        matcher: (candidate) => {
          const entry = candidate as KeyValue;
          return keyExpression.test(entry.key) && valueExpression.test(entry.value);
        },
      };
    }
    case 'envVar': {
      // SOURCE=NAME=VALUE; a value without `=` names the variable only.
      const parts = value.split('=');
      const [source, name, ...rest] = parts.length >= 3 ? parts : ['', ...parts];
      const sourceUpper = (source ?? '').trim().toUpperCase();
      if (sourceUpper !== '' && !ENV_SOURCES.has(sourceUpper)) {
        return { error: `unknown environment variable source ${JSON.stringify(source)}; use one of ${[...ENV_SOURCES].join(', ')}` };
      }
      const nameExpression = wholeRegExp(name || '.*');
      const valueExpression = wholeRegExp(rest.join('=') || '.*');
      if (typeof nameExpression === 'string') return { error: nameExpression };
      if (typeof valueExpression === 'string') return { error: valueExpression };
      return {
        matcher: (candidate) => {
          const env = candidate as EnvCandidate;
          return (sourceUpper === '' || env.source === sourceUpper) && nameExpression.test(env.name) && valueExpression.test(env.value);
        },
      };
    }
    case 'permission': {
      const query = parsePermission(value);
      if (!query) return { error: `expected "VERB[|VERB] [GROUP/]RESOURCE[|RESOURCE]", got ${JSON.stringify(value)}` };
      return { matcher: (candidate) => ruleGrants(candidate as PolicyRule, query) };
    }
  }
};
