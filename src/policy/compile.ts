import { parse as parseCel } from '@marcbachmann/cel-js';
import { canonicalImageName, parseImageName } from '../k8s/index.js';
import { WORKLOAD_KINDS, type LifecycleStage } from '../model/index.js';
import { fieldsFor, findField, IMAGE_FIELD_NAMES, type FieldDefinition } from './fields/index.js';
import { celCost, type CostPolynomial } from './cel-cost.js';
import { policyRegExp } from './regex.js';
import { compileMatcher, type Matcher } from './matchers.js';
import type { PolicyProblem } from './schema.js';
import type { CelCondition, Exclusion, FieldCondition, ObjectSelector, Policy } from './types.js';

export type CelProgram = (variables: Record<string, unknown>) => unknown;

export type CompiledCondition =
  | {
      readonly kind: 'field';
      readonly condition: FieldCondition;
      readonly field: FieldDefinition;
      readonly matchers: readonly Matcher[];
      /** A value matching one of these is not counted, whatever `matchers` say. */
      readonly except: readonly Matcher[];
      /** The condition holds when the values do NOT match: `negate`, or a StackRox "Required ..." field. */
      readonly inverted: boolean;
    }
  | {
      readonly kind: 'cel';
      readonly condition: CelCondition;
      readonly program: CelProgram;
      /** Its worst-case cost as a polynomial in the longest list it may iterate. */
      readonly cost: CostPolynomial;
    };

export interface CompiledSection {
  readonly name?: string;
  readonly conditions: readonly CompiledCondition[];
  /** True when some condition is read per container: the section then matches container by container. */
  readonly perContainer: boolean;
}

export interface CompiledSelector {
  readonly namespace?: RegExp;
  readonly kind?: RegExp;
  readonly name?: RegExp;
  readonly label?: { readonly key: RegExp; readonly value: RegExp };
}

export interface CompiledExclusion extends CompiledSelector {
  readonly source: Exclusion;
  readonly image?: string;
  /** The image prefix spelled out in full (`nginx` → `docker.io/library/nginx`). */
  readonly canonicalImage?: string;
  /** Milliseconds since the epoch after which the exclusion lapses. */
  readonly expires?: number;
}

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly sections: readonly CompiledSection[];
  readonly kinds: ReadonlySet<string>;
  /**
   * True when the policy needs other objects to judge one (Services selecting a workload,
   * NetworkPolicies isolating it, namespaces): it runs once everything has been read.
   */
  readonly crossObject: boolean;
  /** True when a CEL condition reads the manifest itself (`object`), which light copies drop. */
  readonly readsManifest: boolean;
  /** True when a condition needs the Kubernetes schemas (see `EvaluateOptions.validateSchema`). */
  readonly needsSchemas: boolean;
  readonly scope: readonly CompiledSelector[];
  readonly exclusions: readonly CompiledExclusion[];
  /** Exclusions of whole objects, and of containers by image prefix. */
  readonly objectExclusions: readonly CompiledExclusion[];
  readonly imageExclusions: readonly CompiledExclusion[];
  /** The enforcement stages that are also lifecycle stages of the policy. */
  readonly enforcedAt: readonly LifecycleStage[];
}

export type CompileResult = { readonly compiled: CompiledPolicy } | { readonly problems: PolicyProblem[] };

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
};

const suggestion = (policy: Policy, name: string): string => {
  const names = fieldsFor(policy.target).map((field) => field.name);
  const best = names.map((candidate) => ({ candidate, score: distance(candidate.toLowerCase(), name.toLowerCase()) })).sort((a, b) => a.score - b.score)[0];
  return best && best.score <= Math.max(3, name.length / 3) ? `; did you mean "${best.candidate}"?` : '; see `kubeward policy fields`';
};

const regExp = (pattern: string, flags = ''): RegExp | string => policyRegExp(pattern, flags.includes('i'));

/** Compiles and checks a policy: every field known for its target, every value valid, every CEL expression parsed. */
export const compilePolicy = (policy: Policy): CompileResult => {
  const problems: PolicyProblem[] = [];
  const problem = (path: string, code: string, message: string): void => {
    problems.push({ origin: policy.origin, path, code, message });
  };

  const compileSelector = (selector: ObjectSelector, path: string): CompiledSelector => {
    const out: { -readonly [K in keyof CompiledSelector]: CompiledSelector[K] } = {};
    for (const key of ['namespace', 'kind', 'name'] as const) {
      const pattern = selector[key];
      if (pattern === undefined) continue;
      const compiled = regExp(pattern, key === 'kind' ? 'i' : '');
      if (typeof compiled === 'string') problem(`${path}.${key}`, 'invalid_regex', compiled);
      else out[key] = compiled;
    }
    if (selector.label) {
      const key = regExp(selector.label.key);
      const value = regExp(selector.label.value ?? '.*');
      if (typeof key === 'string') problem(`${path}.label.key`, 'invalid_regex', key);
      if (typeof value === 'string') problem(`${path}.label.value`, 'invalid_regex', value);
      if (typeof key !== 'string' && typeof value !== 'string') out.label = { key, value };
    }
    return out;
  };

  if (policy.target === 'Workload') {
    const known = new Set<string>(WORKLOAD_KINDS);
    policy.kinds.forEach((kind, index) => {
      if (!known.has(kind)) problem(`spec.kinds[${index}]`, 'invalid_kind', `${kind} is not a workload kind (${WORKLOAD_KINDS.join(', ')})`);
    });
  }

  const sections = policy.criteria.map((section, sectionIndex): CompiledSection => {
    const conditions = section.conditions.flatMap((condition, conditionIndex): CompiledCondition[] => {
      const path = `spec.criteria[${sectionIndex}].conditions[${conditionIndex}]`;
      if ('cel' in condition) {
        try {
          const program = parseCel(condition.cel) as unknown as CelProgram & { ast?: unknown };
          return [{ kind: 'cel', condition, program, cost: celCost(program.ast) }];
        } catch (error) {
          problem(`${path}.cel`, 'invalid_cel', (error as Error).message.split('\n')[0] ?? 'invalid CEL expression');
          return [];
        }
      }
      const field = findField(policy.target, condition.field);
      if (!field) {
        problem(`${path}.field`, 'unknown_field', `unknown field "${condition.field}" for target ${policy.target}${suggestion(policy, condition.field)}`);
        return [];
      }
      if (condition.values.length === 0) {
        problem(`${path}.values`, 'too_small', `field "${field.name}" needs at least one value`);
        return [];
      }
      const matchers: Matcher[] = [];
      condition.values.forEach((value, valueIndex) => {
        const result = compileMatcher(field.type, value);
        if ('error' in result) problem(`${path}.values[${valueIndex}]`, 'invalid_value', `${field.name}: ${result.error}`);
        else matchers.push(result.matcher);
      });
      const except: Matcher[] = [];
      (condition.except ?? []).forEach((value, valueIndex) => {
        const result = compileMatcher(field.type, value);
        if ('error' in result) problem(`${path}.except[${valueIndex}]`, 'invalid_value', `${field.name}: ${result.error}`);
        else except.push(result.matcher);
      });
      return [{ kind: 'field', condition, field, matchers, except, inverted: condition.negate !== (field.required === true) }];
    });
    return {
      ...(section.name === undefined ? {} : { name: section.name }),
      conditions,
      perContainer: conditions.some((condition) =>
        condition.kind === 'field' ? condition.field.level === 'container' : condition.condition.level === 'container',
      ),
    };
  });

  const scope = policy.scope.map((selector, index) => compileSelector(selector, `spec.scope[${index}]`));
  const exclusions = policy.exclusions.map((exclusion, index): CompiledExclusion => {
    const expires = exclusion.expires === undefined ? undefined : Date.parse(exclusion.expires);
    return {
      ...compileSelector(exclusion, `spec.exclusions[${index}]`),
      source: exclusion,
      ...(exclusion.image === undefined ? {} : { image: exclusion.image, canonicalImage: canonicalImageName(parseImageName(exclusion.image)) }),
      ...(expires === undefined ? {} : { expires }),
    };
  });

  if (problems.length > 0) return { problems };
  const conditions = sections.flatMap((section) => section.conditions);
  return {
    compiled: {
      policy,
      sections,
      kinds: new Set(policy.kinds),
      crossObject: policy.target === 'Namespace' || conditions.some((condition) => condition.kind === 'field' && condition.field.crossObject === true),
      readsManifest: conditions.some((condition) => condition.kind === 'cel' && /\bobject\b/.test(condition.condition.cel)),
      needsSchemas: conditions.some((condition) => condition.kind === 'field' && condition.field.needsSchemas === true),
      scope,
      exclusions,
      objectExclusions: exclusions.filter((exclusion) => exclusion.image === undefined),
      imageExclusions: exclusions.filter((exclusion) => exclusion.image !== undefined),
      enforcedAt: policy.enforcement.filter((stage) => policy.lifecycleStages.includes(stage)),
    },
  };
};

/** Whether every condition of a policy is about the image (so `image check` can judge it without a workload). */
export const isImagePolicy = (compiled: CompiledPolicy): boolean =>
  compiled.sections.every((section) => section.conditions.every((condition) => condition.kind === 'field' && IMAGE_FIELD_NAMES.has(condition.field.name)));
