import {
  type ClusterSnapshot,
  type Container,
  type FileLocation,
  type Finding,
  type KubeObject,
  type LifecycleStage,
  type Namespace,
  type ObjectMeta,
  type Workload,
} from '../model/index.js';
import type { CompiledPolicy, CompiledSection, CompiledSelector } from './compile.js';
import type { Candidate, FieldContext } from './fields/index.js';
import { SnapshotIndex } from './snapshot-index.js';
import type { Target } from './types.js';

export const IGNORE_ANNOTATION = 'kubeward.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'kubeward.io/ignore-reason';

export interface EvaluateOptions {
  /** Exclusion expiry is judged against this instant (engines read no clock). */
  readonly now: Date;
  /** Only policies with one of these lifecycle stages run (`scan` runs BUILD and DEPLOY). */
  readonly stages: readonly LifecycleStage[];
  /** Resolves a field path to a file position; without it findings point at the object. */
  readonly locate?: (object: ObjectMeta, path: string) => FileLocation;
}

export interface EvaluationStats {
  readonly policies: number;
  readonly objectsChecked: number;
  /** CEL expressions that failed at run time (a missing key, a type error): counted as not matching. */
  readonly celErrors: number;
}

export interface EvaluationResult {
  readonly findings: Finding[];
  readonly stats: EvaluationStats;
}

interface Clause {
  readonly text: string;
  readonly path: string;
  readonly matched: boolean;
  /** From a filter field: shown only when nothing else explains the finding. */
  readonly filter: boolean;
}

const LISTED_TARGETS: Readonly<Record<Exclude<Target, 'Workload' | 'Object' | 'Namespace'>, (snapshot: ClusterSnapshot) => readonly KubeObject[]>> = {
  Service: (snapshot) => snapshot.services,
  Ingress: (snapshot) => snapshot.ingresses,
  NetworkPolicy: (snapshot) => snapshot.networkPolicies,
  ServiceAccount: (snapshot) => snapshot.serviceAccounts,
  Role: (snapshot) => snapshot.roles,
  RoleBinding: (snapshot) => snapshot.roleBindings,
  PodDisruptionBudget: (snapshot) => snapshot.podDisruptionBudgets,
  HorizontalPodAutoscaler: (snapshot) => snapshot.horizontalPodAutoscalers,
};

/**
 * Namespaces as policy targets: the declared ones, plus every namespace objects are put in
 * (a manifest set rarely declares its namespaces), each pointing at the first object found there.
 */
const namespaceTargets = (index: SnapshotIndex): Namespace[] => {
  const declared = new Map(index.snapshot.namespaces.map((namespace) => [namespace.name, namespace]));
  return index.namespaces().flatMap((name): Namespace[] => {
    const existing = declared.get(name);
    if (existing) return [existing];
    const first = [...index.workloadsIn(name), ...index.servicesIn(name), ...index.networkPoliciesIn(name)][0];
    if (!first) return [];
    return [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        name,
        labels: {},
        annotations: {},
        namespaceImplicit: false,
        source: first.source,
        raw: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      },
    ];
  });
};

export const targetObjects = (target: Target, index: SnapshotIndex): readonly KubeObject[] => {
  const { snapshot } = index;
  switch (target) {
    case 'Workload':
      return snapshot.workloads;
    case 'Namespace':
      return namespaceTargets(index);
    case 'Object':
      return [
        ...snapshot.workloads,
        ...snapshot.services,
        ...snapshot.ingresses,
        ...snapshot.networkPolicies,
        ...snapshot.serviceAccounts,
        ...snapshot.roles,
        ...snapshot.roleBindings,
        ...snapshot.secrets,
        ...snapshot.configMaps,
        ...snapshot.namespaces,
        ...snapshot.podDisruptionBudgets,
        ...snapshot.horizontalPodAutoscalers,
        ...snapshot.others,
      ];
    default:
      return LISTED_TARGETS[target](snapshot);
  }
};

const selectorMatchesObject = (selector: CompiledSelector, object: KubeObject): boolean => {
  // A Namespace is "in" itself for scopes and exclusions.
  const namespace = object.kind === 'Namespace' ? object.name : (object.namespace ?? '');
  if (selector.namespace && !selector.namespace.test(namespace)) return false;
  if (selector.kind && !selector.kind.test(object.kind)) return false;
  if (selector.name && !selector.name.test(object.name)) return false;
  if (selector.label) {
    const { key, value } = selector.label;
    if (!Object.entries(object.labels).some(([labelKey, labelValue]) => key.test(labelKey) && value.test(labelValue))) return false;
  }
  return true;
};

/** Policy ids listed in `kubeward.io/ignore` on the object or (for workloads) its pod template, with the reason. */
const ignoredPolicies = (object: KubeObject): { readonly ids: ReadonlySet<string>; readonly reason?: string } | undefined => {
  const sources = [object.annotations, 'podAnnotations' in object ? (object as Workload).podAnnotations : {}];
  const ids = new Set<string>();
  let reason: string | undefined;
  for (const annotations of sources) {
    const list = annotations[IGNORE_ANNOTATION];
    if (list !== undefined) for (const id of list.split(/[\s,]+/)) if (id !== '') ids.add(id);
    reason ??= annotations[IGNORE_REASON_ANNOTATION];
  }
  if (ids.size === 0) return undefined;
  return reason === undefined ? { ids } : { ids, reason };
};

const summarise = (texts: readonly string[]): string => {
  const unique = [...new Set(texts)];
  return unique.length <= 3 ? unique.join('; ') : `${unique.slice(0, 3).join('; ')}; and ${unique.length - 3} more`;
};

/**
 * Evaluates compiled policies against a snapshot. Pure: the same inputs always give the same
 * findings, in the same order (policy order, then object order, then container order).
 */
export const evaluatePolicies = (
  snapshot: ClusterSnapshot,
  policies: readonly CompiledPolicy[],
  options: EvaluateOptions,
): EvaluationResult => {
  const index = new SnapshotIndex(snapshot);
  const findings: Finding[] = [];
  const now = options.now.getTime();
  const stages = new Set(options.stages);
  let celErrors = 0;
  let objectsChecked = 0;
  let policiesRun = 0;
  const ignoreCache = new Map<KubeObject, ReturnType<typeof ignoredPolicies>>();
  const targetCache = new Map<Target, readonly KubeObject[]>();

  const runCel = (program: (variables: Record<string, unknown>) => unknown, object: KubeObject, container: Container | undefined): boolean => {
    try {
      const result = program({ object: object.raw, model: object, ...(container ? { container } : {}) });
      return result === true;
    } catch {
      celErrors++;
      return false;
    }
  };

  const evaluateSection = (
    section: CompiledSection,
    context: FieldContext,
    objectLevelOnly: boolean,
  ): Clause[] | undefined => {
    const clauses: Clause[] = [];
    for (const compiled of section.conditions) {
      if (compiled.kind === 'cel') {
        const isContainerLevel = compiled.condition.level === 'container';
        if (isContainerLevel === objectLevelOnly) continue;
        if (!runCel(compiled.program, context.object, context.container)) return undefined;
        clauses.push({ text: compiled.condition.message ?? `CEL ${JSON.stringify(compiled.condition.cel)} holds`, path: '', matched: true, filter: false });
        continue;
      }
      const isContainerLevel = compiled.field.level === 'container';
      if (isContainerLevel === objectLevelOnly) continue;
      const candidates = compiled.field.extract(context);
      const { operator } = compiled.condition;
      let matched: Candidate[];
      let holds: boolean;
      if (operator === 'AND') {
        // As in StackRox: one value must satisfy every listed value (`> 0` AND `<= 1024` is a range).
        matched = candidates.filter((candidate) => compiled.matchers.every((matcher) => matcher(candidate.value)));
        holds = matched.length > 0;
      } else if (operator === 'NOT_IN') {
        matched = candidates.filter((candidate) => !compiled.matchers.some((matcher) => matcher(candidate.value)));
        holds = matched.length > 0;
      } else {
        matched = candidates.filter((candidate) => compiled.matchers.some((matcher) => matcher(candidate.value)));
        holds = matched.length > 0;
      }
      if (compiled.inverted) {
        if (holds) return undefined;
        clauses.push({ text: compiled.field.absent(context, compiled.condition.values), path: compiled.field.path(context), matched: false, filter: compiled.field.filter === true });
      } else {
        if (!holds) return undefined;
        clauses.push({ text: summarise(matched.map((candidate) => candidate.text)), path: matched[0]?.path ?? compiled.field.path(context), matched: true, filter: compiled.field.filter === true });
      }
    }
    return clauses;
  };

  for (const compiled of policies) {
    const { policy } = compiled;
    if (!policy.lifecycleStages.some((stage) => stages.has(stage))) continue;
    policiesRun++;
    let objects = targetCache.get(policy.target);
    if (!objects) targetCache.set(policy.target, (objects = targetObjects(policy.target, index)));
    const activeExclusions = compiled.exclusions.filter((exclusion) => exclusion.expires === undefined || exclusion.expires > now);
    const objectExclusions = activeExclusions.filter((exclusion) => exclusion.image === undefined);
    const imageExclusions = activeExclusions.filter((exclusion) => exclusion.image !== undefined);
    const enforcedAt = policy.enforcement.filter((stage) => policy.lifecycleStages.includes(stage));

    for (const object of objects) {
      if (compiled.kinds.size > 0 && !compiled.kinds.has(object.kind)) continue;
      if (compiled.scope.length > 0 && !compiled.scope.some((selector) => selectorMatchesObject(selector, object))) continue;
      if (objectExclusions.some((exclusion) => selectorMatchesObject(exclusion, object))) continue;
      const workload = policy.target === 'Workload' ? (object as Workload) : undefined;
      if (workload && index.isManagedByListedController(workload)) continue;
      objectsChecked++;

      // One finding per (object, container): sections that match the same container merge their messages.
      const hits = new Map<string, { container?: Container; clauses: Clause[] }>();
      const record = (container: Container | undefined, clauses: Clause[]): void => {
        const key = container ? `${container.type}/${container.name}` : '';
        const hit = hits.get(key);
        if (hit) hit.clauses.push(...clauses);
        else hits.set(key, container ? { container, clauses: [...clauses] } : { clauses: [...clauses] });
      };

      for (const section of compiled.sections) {
        const objectContext: FieldContext = { object, index };
        const objectClauses = evaluateSection(section, objectContext, true);
        if (!objectClauses) continue;
        if (!section.perContainer) {
          record(undefined, objectClauses);
          continue;
        }
        for (const container of workload?.pod.containers ?? []) {
          const excludedImage = imageExclusions.some(
            (exclusion) => container.image.full.startsWith(exclusion.image as string) && selectorMatchesObject(exclusion, object),
          );
          if (excludedImage) continue;
          const containerClauses = evaluateSection(section, { object, container, index }, false);
          if (containerClauses) record(container, [...objectClauses, ...containerClauses]);
        }
      }
      if (hits.size === 0) continue;

      let ignore = ignoreCache.get(object);
      if (ignore === undefined && !ignoreCache.has(object)) ignoreCache.set(object, (ignore = ignoredPolicies(object)));
      const suppressed = ignore && (ignore.ids.has(policy.id) || ignore.ids.has('*'));

      for (const { container, clauses: all } of hits.values()) {
        const explaining = all.filter((clause) => !clause.filter);
        const clauses = explaining.length > 0 ? explaining : all;
        const primary = clauses.find((clause) => clause.matched && clause.path !== '') ?? clauses.find((clause) => clause.path !== '');
        const path = primary?.path ?? container?.path ?? '';
        const location = options.locate
          ? options.locate(object, path)
          : { file: object.source.file, line: object.source.line, column: object.source.column };
        findings.push({
          policyId: policy.id,
          policyName: policy.name,
          severity: policy.severity,
          categories: policy.categories,
          object: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
            name: object.name,
            ...(object.uid === undefined ? {} : { uid: object.uid }),
          },
          ...(container ? { container: container.name } : {}),
          message: summarise(clauses.map((clause) => clause.text)),
          remediation: policy.remediation,
          path,
          source: object.source,
          location,
          enforcedAt,
          ...(suppressed ? { suppressed: { by: 'annotation' as const, ...(ignore?.reason ? { reason: ignore.reason } : {}) } } : {}),
        });
      }
    }
  }
  return { findings, stats: { policies: policiesRun, objectsChecked, celErrors } };
};
