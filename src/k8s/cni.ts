import type { CalicoSelector, CniIsolationRule, CniNetworkPolicy, CniSelection, LabelSelector } from '../model/index.js';
import { labelSelector } from './selectors.js';
import { dict, isDict, list, str, strings, type Dict } from './values.js';

const CILIUM_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);
const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);

/** Calico's API groups: the projectcalico.org API server, and the CRDs it stores in. */
export const isCalicoApiVersion = (apiVersion: string): boolean =>
  apiVersion.startsWith('projectcalico.org/') || apiVersion.startsWith('crd.projectcalico.org/');

export class CalicoSelectorError extends Error {}

/**
 * Parses a Calico selector: `all()`, `has(k)`, `!has(k)`, `k == 'v'`, `k != 'v'`,
 * `k in {'a', 'b'}`, `k not in {...}`, `k contains 's'`, `k starts with 's'`, `k ends with 's'`,
 * combined with `!`, `&&`, `||` and parentheses (`&&` binds tighter). An empty selector is `all()`.
 */
export const parseCalicoSelector = (text: string): CalicoSelector => {
  let at = 0;
  const fail = (message: string): never => {
    throw new CalicoSelectorError(`${message} at character ${at + 1} of ${JSON.stringify(text)}`);
  };
  const space = (): void => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  const take = (token: string): boolean => {
    space();
    if (text.startsWith(token, at)) {
      at += token.length;
      return true;
    }
    return false;
  };
  /** A keyword followed by a separator, so `in` does not eat the start of `index`. */
  const word = (keyword: string): boolean => {
    space();
    const after = text[at + keyword.length];
    if (text.startsWith(keyword, at) && (after === undefined || /[\s({'"]/.test(after))) {
      at += keyword.length;
      return true;
    }
    return false;
  };
  const key = (): string => {
    space();
    const match = /^[A-Za-z0-9_./-]+/.exec(text.slice(at));
    if (!match) return fail('expected a label key');
    at += match[0].length;
    return match[0];
  };
  const quoted = (): string => {
    space();
    const quote = text[at];
    if (quote !== "'" && quote !== '"') return fail('expected a quoted value');
    const end = text.indexOf(quote, at + 1);
    if (end < 0) return fail('unterminated string');
    const value = text.slice(at + 1, end);
    at = end + 1;
    return value;
  };
  const set = (): string[] => {
    if (!take('{')) fail('expected {');
    const values: string[] = [];
    if (take('}')) return values;
    do values.push(quoted());
    while (take(','));
    if (!take('}')) fail('expected }');
    return values;
  };
  const primary = (): CalicoSelector => {
    if (take('!')) {
      if (word('has')) {
        if (!take('(')) fail('expected (');
        const name = key();
        if (!take(')')) fail('expected )');
        return { op: 'missing', key: name };
      }
      return { op: 'not', operand: primary() };
    }
    if (take('(')) {
      const inner = disjunction();
      if (!take(')')) fail('expected )');
      return inner;
    }
    if (word('all')) {
      if (!take('(') || !take(')')) fail('expected ()');
      return { op: 'all' };
    }
    if (word('global')) {
      // global() selects non-namespaced endpoints (host endpoints, network sets): no pod.
      if (!take('(') || !take(')')) fail('expected ()');
      return { op: 'not', operand: { op: 'all' } };
    }
    if (word('has')) {
      if (!take('(')) fail('expected (');
      const name = key();
      if (!take(')')) fail('expected )');
      return { op: 'has', key: name };
    }
    const name = key();
    if (take('==')) return { op: '==', key: name, value: quoted() };
    if (take('!=')) return { op: '!=', key: name, value: quoted() };
    if (word('not')) {
      if (!word('in')) fail('expected in after not');
      return { op: 'not in', key: name, values: set() };
    }
    if (word('in')) return { op: 'in', key: name, values: set() };
    if (word('contains')) return { op: 'contains', key: name, value: quoted() };
    if (word('starts')) {
      if (!word('with')) fail('expected with');
      return { op: 'starts with', key: name, value: quoted() };
    }
    if (word('ends')) {
      if (!word('with')) fail('expected with');
      return { op: 'ends with', key: name, value: quoted() };
    }
    return fail(`expected an operator after ${name}`);
  };
  const conjunction = (): CalicoSelector => {
    const operands = [primary()];
    while (take('&&')) operands.push(primary());
    return operands.length === 1 ? (operands[0] as CalicoSelector) : { op: 'and', operands };
  };
  const disjunction = (): CalicoSelector => {
    const operands = [conjunction()];
    while (take('||')) operands.push(conjunction());
    return operands.length === 1 ? (operands[0] as CalicoSelector) : { op: 'or', operands };
  };
  space();
  if (at === text.length) return { op: 'all' };
  const selector = disjunction();
  space();
  if (at < text.length) fail('unexpected text');
  return selector;
};

/** Cilium selectors may name a label's source (`k8s:app`, `any:app`); pods' labels come from k8s. */
const ciliumSelector = (value: unknown): LabelSelector | undefined => {
  const selector = labelSelector(value);
  if (!selector) return undefined;
  const strip = (key: string): string => key.replace(/^(?:k8s|any):/, '');
  return {
    matchLabels: Object.fromEntries(Object.entries(selector.matchLabels).map(([key, item]) => [strip(key), item])),
    matchExpressions: selector.matchExpressions.map((expression) => ({ ...expression, key: strip(expression.key) })),
  };
};

const present = (value: unknown): boolean => list(value).length > 0;

/**
 * Cilium: a rule that selects an endpoint and has an ingress (or ingressDeny) section puts it into
 * default deny for ingress, likewise egress, unless `enableDefaultDeny` turns that off. A rule with
 * a `nodeSelector` is a host policy and selects no pod.
 */
const ciliumRule = (rule: Dict, path: string, problems: CniNetworkPolicy['problems'][number][]): CniIsolationRule => {
  const defaultDeny = dict(rule.enableDefaultDeny);
  const ingress = (present(rule.ingress) || present(rule.ingressDeny)) && defaultDeny.ingress !== false;
  const egress = (present(rule.egress) || present(rule.egressDeny)) && defaultDeny.egress !== false;
  if (isDict(rule.nodeSelector) && !isDict(rule.endpointSelector)) return { path, ingress, egress };
  const selector = ciliumSelector(rule.endpointSelector);
  if (!selector) {
    problems.push({ path: `${path}.endpointSelector`, message: 'no endpointSelector: the rule selects no pod' });
    return { path, ingress, egress };
  }
  return { path, pods: { dialect: 'label-selector', selector }, ingress, egress };
};

/**
 * Calico: a policy that selects an endpoint for a direction (`types`, inferred as Calico does when
 * absent: Egress alone when there are only egress rules, both when there are both, else Ingress)
 * denies in that direction whatever its rules do not allow or pass.
 */
const calicoRule = (spec: Dict, problems: CniNetworkPolicy['problems'][number][]): CniIsolationRule => {
  const declared = strings(spec.types);
  const hasIngress = present(spec.ingress);
  const hasEgress = present(spec.egress);
  const types = declared.length > 0 ? declared : hasEgress && !hasIngress ? ['Egress'] : hasEgress ? ['Ingress', 'Egress'] : ['Ingress'];
  const read = (field: string): CniSelection | undefined => {
    const text = str(spec[field]);
    try {
      return { dialect: 'calico', selector: parseCalicoSelector(text ?? '') };
    } catch (error) {
      problems.push({ path: `spec.${field}`, message: `${(error as Error).message}; the policy is taken to select no pod` });
      return undefined;
    }
  };
  const pods = read('selector');
  const namespaces = spec.namespaceSelector === undefined ? undefined : read('namespaceSelector');
  const rule: CniIsolationRule = {
    path: 'spec',
    ...(pods ? { pods } : {}),
    ...(namespaces ? { namespaces } : {}),
    ingress: types.includes('Ingress'),
    egress: types.includes('Egress'),
  };
  // A namespaceSelector that could not be read must not widen the policy to every namespace.
  return spec.namespaceSelector !== undefined && !namespaces ? { path: 'spec', ingress: rule.ingress, egress: rule.egress } : rule;
};

/** Reads a Cilium or Calico network policy for the isolation it gives; `undefined` for any other object. */
export const readCniPolicy = (kind: string, apiVersion: string, raw: Dict): CniNetworkPolicy | undefined => {
  const problems: CniNetworkPolicy['problems'][number][] = [];
  if (CILIUM_KINDS.has(kind) && apiVersion.startsWith('cilium.io/')) {
    const rules: CniIsolationRule[] = [];
    if (isDict(raw.spec)) rules.push(ciliumRule(raw.spec, 'spec', problems));
    list(raw.specs).forEach((rule, index) => {
      if (isDict(rule)) rules.push(ciliumRule(rule, `specs[${index}]`, problems));
    });
    return { provider: 'Cilium', clusterWide: kind === 'CiliumClusterwideNetworkPolicy', rules, problems };
  }
  if (CALICO_KINDS.has(kind) && isCalicoApiVersion(apiVersion)) {
    return { provider: 'Calico', clusterWide: kind === 'GlobalNetworkPolicy', rules: [calicoRule(dict(raw.spec), problems)], problems };
  }
  return undefined;
};
