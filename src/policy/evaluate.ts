import {
  type ClusterSnapshot,
  type Container,
  type FileLocation,
  type ImageName,
  type ImageScan,
  type Finding,
  type KubeObject,
  type LifecycleStage,
  type Namespace,
  type ObjectMeta,
  type ObjectRef,
  type SourceLocation,
  type Workload,
} from '../model/index.js';
import type { CompiledCondition, CompiledExclusion, CompiledPolicy, CompiledSection, CompiledSelector } from './compile.js';
import type { Matcher } from './matchers.js';
import { CEL_COST_LIMIT, evaluateCost, longestCollection, type CostPolynomial } from './cel-cost.js';
import { resolve, type Candidate, type FieldContext, type FieldDefinition } from './fields/index.js';
import { canonicalImageName } from '../k8s/index.js';
import { snapshotObjects } from '../k8s/index.js';
import { SnapshotIndex } from './snapshot-index.js';
import type { BooleanOperator, Target } from './types.js';

export const IGNORE_ANNOTATION = 'kubeward.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'kubeward.io/ignore-reason';

export interface EvaluateOptions {
  /** Exclusion expiry is judged against this instant (engines read no clock). */
  readonly now: Date;
  /** Only policies with one of these lifecycle stages run (`scan` runs BUILD and DEPLOY). */
  readonly stages: readonly LifecycleStage[];
  /** Resolves field paths to file positions, all at once; without it findings point at their object. */
  readonly locateAll?: (requests: readonly { readonly object: ObjectMeta; readonly path: string }[]) => FileLocation[];
  /**
   * Judge only these objects (the snapshot still answers cross-object questions about the rest),
   * plus namespaces that no object declares when `judgeUndeclaredNamespaces` is true (the default).
   */
  readonly only?: ReadonlySet<KubeObject>;
  readonly judgeUndeclaredNamespaces?: boolean;
  /** Schema checks for the `Schema Violation` field (loaded by the caller: schemas are large). */
  readonly validateSchema?: (object: ObjectMeta) => readonly { readonly path: string; readonly message: string }[];
  /** Scans of the images containers run, for image fields (BUILD-stage policies); without it those fields have no values. */
  readonly imageScan?: (image: ImageName) => ImageScan | undefined;
}

export interface EvaluationStats {
  readonly policies: number;
  readonly objectsChecked: number;
  /** CEL expressions that failed at run time (a missing key, a type error): counted as not matching. */
  readonly celErrors: number;
  /** Of those, expressions not run because their cost on the object was over the budget (CEL_COST_LIMIT). */
  readonly celOverBudget: number;
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

/** An image exclusion is a prefix of the reference as written, or of the reference spelled out in full. */
const imageExcluded = (exclusion: CompiledExclusion, image: ImageName): boolean =>
  image.full.startsWith(exclusion.image as string) ||
  (exclusion.canonicalImage !== undefined && canonicalImageName(image).startsWith(exclusion.canonicalImage));

const compareSources = (a: SourceLocation, b: SourceLocation): number =>
  (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.documentIndex - b.documentIndex || a.line - b.line;

/** Lists shorter than this are cheaper to scan than to memoise. */
const MEMO_MIN_CANDIDATES = 16;

/** Namespaces synthesised for `namespaceTargets`: objects use them, nothing declares them. */
const undeclared = new WeakSet<KubeObject>();

/**
 * Namespaces as policy targets: the declared ones, plus every namespace objects are put in
 * (a manifest set rarely declares its namespaces), each pointing at the first object found there.
 */
const namespaceTargets = (index: SnapshotIndex): Namespace[] => {
  // A namespace declared twice (one namespace.yaml per application folder) is judged once, as the
  // first declaration in source order: the same one whichever thread or order read the files.
  const declared = new Map<string, Namespace>();
  for (const namespace of index.snapshot.namespaces) {
    const current = declared.get(namespace.name);
    if (!current || compareSources(namespace.source, current.source) < 0) declared.set(namespace.name, namespace);
  }
  return index.namespaces().flatMap((name): Namespace[] => {
    const existing = declared.get(name);
    if (existing) return [existing];
    const first = [...index.workloadsIn(name), ...index.servicesIn(name), ...index.networkPoliciesIn(name)][0];
    if (!first) return [];
    const synthesized: Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      name,
      labels: {},
      annotations: {},
      namespaceImplicit: false,
      source: first.source,
      raw: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    };
    undeclared.add(synthesized);
    return [synthesized];
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
      return snapshotObjects(snapshot);
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

/** Violating clauses per container (key `type/name`), or per object (key ``). */
type Hits = Map<string, { container?: Container; clauses: Clause[] }>;

const addHit = (hits: Hits | undefined, container: Container | undefined, clauses: Clause[]): Hits => {
  const map = hits ?? new Map();
  const key = container ? `${container.type}/${container.name}` : '';
  const hit = map.get(key);
  if (hit) hit.clauses.push(...clauses);
  else map.set(key, container ? { container, clauses } : { clauses });
  return map;
};

/** Policy ids listed in `kubeward.io/ignore` on the object or (for workloads) its pod template, with the reason. */
export const ignoredPolicies = (object: KubeObject): { readonly ids: ReadonlySet<string>; readonly reason?: string } | undefined => {
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
  if (texts.length === 1) return texts[0] as string;
  const unique = [...new Set(texts)];
  return unique.length <= 3 ? unique.join('; ') : `${unique.slice(0, 3).join('; ')}; and ${unique.length - 3} more`;
};

/**
 * Evaluates compiled policies against a snapshot. Pure: the same inputs always give the same
 * findings, in the same order (policy order, then object order, then container order).
 */
export const evaluatePolicies = (snapshot: ClusterSnapshot, policies: readonly CompiledPolicy[], options: EvaluateOptions): EvaluationResult => {
  const index = new SnapshotIndex(snapshot, options.validateSchema, options.imageScan ? { scanOf: options.imageScan, now: options.now } : undefined);
  const findings: Finding[] = [];
  /** The object of each finding, to locate their paths in one batch at the end. */
  const located: KubeObject[] = [];
  const now = options.now.getTime();
  const stages = new Set(options.stages);
  let celErrors = 0;
  let celOverBudget = 0;
  let objectsChecked = 0;
  let policiesRun = 0;
  const ignoreCache = new Map<KubeObject, ReturnType<typeof ignoredPolicies>>();
  // Image fields share one candidate list among every container that runs the image (hundreds of
  // vulnerabilities, thousands of workloads): a condition over a shared list is decided once.
  const memos = new WeakMap<readonly Candidate[], { holds: Map<CompiledCondition, boolean>; clauses: Map<CompiledCondition, Clause> }>();
  const memoOf = (candidates: readonly Candidate[]) => {
    let memo = memos.get(candidates);
    if (!memo) memos.set(candidates, (memo = { holds: new Map(), clauses: new Map() }));
    return memo;
  };
  // Many policies read the same fields (capabilities, run-as-user, ...): read each once per object or container.
  const extract = (field: FieldDefinition, context: FieldContext): readonly Candidate[] => {
    const cache = context.cache;
    if (!cache) return field.extract(context);
    let candidates = cache[field.id];
    if (!candidates) cache[field.id] = candidates = field.extract(context);
    return candidates;
  };

  // The longest list of each object's manifest, for CEL cost estimates (worked out only for objects CEL judges).
  const longest = new WeakMap<KubeObject, number>();
  const runCel = (
    program: (variables: Record<string, unknown>) => unknown,
    cost: CostPolynomial,
    object: KubeObject,
    container: Container | undefined,
  ): boolean => {
    let length = longest.get(object);
    if (length === undefined) longest.set(object, (length = longestCollection(object.raw)));
    // As the API server does: an expression whose worst case is over the budget is not run.
    if (evaluateCost(cost, length) > CEL_COST_LIMIT) {
      celErrors++;
      celOverBudget++;
      return false;
    }
    try {
      const result = program({ object: object.raw, model: object, ...(container ? { container } : {}) });
      return result === true;
    } catch {
      celErrors++;
      return false;
    }
  };

  /** Whether a candidate satisfies the condition's values under its operator. */
  const candidateMatches = (matchers: readonly Matcher[], operator: BooleanOperator, value: Candidate['value'], except: readonly Matcher[] = []): boolean => {
    for (const matcher of except) if (matcher(value)) return false;
    if (operator === 'AND') {
      // As in StackRox: one value must satisfy every listed value (`> 0` AND `<= 1024` is a range).
      for (const matcher of matchers) if (!matcher(value)) return false;
      return true;
    }
    let any = false;
    for (const matcher of matchers) {
      if (matcher(value)) {
        any = true;
        break;
      }
    }
    return operator === 'NOT_IN' ? !any : any;
  };

  /** Whether a condition holds; no allocation, as most conditions of most policies do not. */
  const holds = (compiled: CompiledCondition, context: FieldContext): boolean => {
    if (compiled.kind === 'cel') return runCel(compiled.program, compiled.cost, context.object, context.container);
    const candidates = extract(compiled.field, context);
    const memo = candidates.length >= MEMO_MIN_CANDIDATES ? memoOf(candidates) : undefined;
    const known = memo?.holds.get(compiled);
    if (known !== undefined) return known;
    let found = false;
    for (const candidate of candidates) {
      if (candidateMatches(compiled.matchers, compiled.condition.operator, candidate.value, compiled.except)) {
        found = true;
        break;
      }
    }
    memo?.holds.set(compiled, found !== compiled.inverted);
    return found !== compiled.inverted;
  };

  /** The clause a holding condition contributes to the violation message. */
  const clauseOf = (compiled: CompiledCondition, context: FieldContext): Clause => {
    if (compiled.kind === 'cel') {
      return { text: compiled.condition.message ?? `CEL ${JSON.stringify(compiled.condition.cel)} holds`, path: '', matched: true, filter: false };
    }
    const filter = compiled.field.filter === true;
    if (compiled.inverted)
      return { text: compiled.field.absent(context, compiled.condition.values), path: compiled.field.path(context), matched: false, filter };
    const candidates = extract(compiled.field, context);
    const memo = candidates.length >= MEMO_MIN_CANDIDATES ? memoOf(candidates) : undefined;
    const known = memo?.clauses.get(compiled);
    if (known) return known;
    const matched = candidates.filter((candidate) => candidateMatches(compiled.matchers, compiled.condition.operator, candidate.value, compiled.except));
    const first = matched[0];
    const clause = {
      text: summarise(matched.map((candidate) => resolve(candidate.text))),
      path: first ? resolve(first.path) : compiled.field.path(context),
      matched: true,
      filter,
    };
    // Only a clause that names a candidate is the same wherever those candidates are shared.
    if (first) memo?.clauses.set(compiled, clause);
    return clause;
  };

  const isContainerLevel = (compiled: CompiledCondition): boolean =>
    compiled.kind === 'cel' ? compiled.condition.level === 'container' : compiled.field.level === 'container';

  /** The clauses of a section's object-level (or container-level) conditions when they all hold. */
  const evaluateSection = (section: CompiledSection, context: FieldContext, objectLevelOnly: boolean): Clause[] | undefined => {
    for (const compiled of section.conditions) {
      if (isContainerLevel(compiled) === objectLevelOnly) continue;
      if (!holds(compiled, context)) return undefined;
    }
    const clauses: Clause[] = [];
    for (const compiled of section.conditions) if (isContainerLevel(compiled) !== objectLevelOnly) clauses.push(clauseOf(compiled, context));
    return clauses;
  };

  const active = (exclusion: CompiledExclusion): boolean => exclusion.expires === undefined || exclusion.expires > now;

  /** Every section of a policy against one object: the clauses per container (or the object) that violate it. */
  const judge = (compiled: CompiledPolicy, object: KubeObject, objectContext: FieldContext, containers: readonly FieldContext[]): Hits | undefined => {
    let hits: Hits | undefined;
    for (const section of compiled.sections) {
      const objectClauses = evaluateSection(section, objectContext, true);
      if (!objectClauses) continue;
      if (!section.perContainer) {
        hits = addHit(hits, undefined, objectClauses);
        continue;
      }
      for (const context of containers) {
        const container = context.container as Container;
        if (
          compiled.imageExclusions.length > 0 &&
          compiled.imageExclusions.some(
            (exclusion) => active(exclusion) && imageExcluded(exclusion, container.image) && selectorMatchesObject(exclusion, object),
          )
        )
          continue;
        const containerClauses = evaluateSection(section, context, false);
        if (containerClauses) hits = addHit(hits, container, [...objectClauses, ...containerClauses]);
      }
    }
    return hits;
  };

  // Findings of one policy on many objects share their paths (`spec.template.spec.containers[0]...`):
  // keep one copy of each.
  const paths = new Map<string, string>();
  const intern = (path: string): string => {
    const known = paths.get(path);
    if (known !== undefined) return known;
    paths.set(path, path);
    return path;
  };

  // One reference per object, shared by all its findings.
  const refs = new Map<KubeObject, ObjectRef>();
  const objectRef = (object: KubeObject): ObjectRef => {
    let ref = refs.get(object);
    if (!ref) {
      ref = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
        name: object.name,
        ...(object.uid === undefined ? {} : { uid: object.uid }),
      };
      refs.set(object, ref);
    }
    return ref;
  };

  const emit = (compiled: CompiledPolicy, object: KubeObject, hits: Hits): void => {
    const { policy } = compiled;
    let ignore = ignoreCache.get(object);
    if (ignore === undefined && !ignoreCache.has(object)) ignoreCache.set(object, (ignore = ignoredPolicies(object)));
    const suppressed = ignore && (ignore.ids.has(policy.id) || ignore.ids.has('*'));
    const suppression = suppressed ? { by: 'annotation' as const, ...(ignore?.reason ? { reason: ignore.reason } : {}) } : undefined;
    const ref = objectRef(object);
    for (const { container, clauses: all } of hits.values()) {
      let clauses = all;
      if (all.some((clause) => clause.filter) && all.some((clause) => !clause.filter)) clauses = all.filter((clause) => !clause.filter);
      let primary: Clause | undefined;
      for (const clause of clauses) {
        if (clause.path === '') continue;
        if (clause.matched) {
          primary = clause;
          break;
        }
        primary ??= clause;
      }
      // Built as one literal with every key (optional ones set after): object spreads here cost a
      // temporary object per finding, and scans can have hundreds of thousands of findings.
      // The location is the object's until `locateAll` names the field's, below.
      const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
        policyId: policy.id,
        policyName: policy.name,
        severity: policy.severity,
        categories: policy.categories,
        object: ref,
        message: clauses.length === 1 ? (clauses[0] as Clause).text : summarise(clauses.map((clause) => clause.text)),
        remediation: policy.remediation,
        path: intern(primary?.path ?? container?.path ?? ''),
        source: object.source,
        location: { file: object.source.file, line: object.source.line, column: object.source.column },
        enforcedAt: compiled.enforcedAt,
      };
      // Messages are built by concatenation: V8 keeps them as trees of pieces until read. Reading a
      // character flattens the tree into one string, which is far smaller to keep for the report.
      finding.message.charCodeAt(0);
      if (container) finding.container = container.name;
      if (suppression) finding.suppressed = suppression;
      located.push(object);
      findings.push(finding);
    }
  };

  // Object by object rather than policy by policy: an object's contexts and field values serve
  // every policy that judges it. Findings come out per target kind, object, then policy.
  const groups = new Map<Target, CompiledPolicy[]>();
  for (const compiled of policies) {
    if (!compiled.policy.lifecycleStages.some((stage) => stages.has(stage))) continue;
    policiesRun++;
    const group = groups.get(compiled.policy.target);
    if (group) group.push(compiled);
    else groups.set(compiled.policy.target, [compiled]);
  }
  for (const [target, group] of groups) {
    const perContainer = group.some((compiled) => compiled.sections.some((section) => section.perContainer));
    for (const object of targetObjects(target, index)) {
      if (options.only && !options.only.has(object) && !(undeclared.has(object) && options.judgeUndeclaredNamespaces !== false)) continue;
      const workload = target === 'Workload' ? (object as Workload) : undefined;
      if (workload && index.isManagedByListedController(workload)) continue;
      const objectContext: FieldContext = { object, index, cache: [] };
      const containers: FieldContext[] = perContainer && workload ? workload.pod.containers.map((container) => ({ object, container, index, cache: [] })) : [];
      for (const compiled of group) {
        if (compiled.kinds.size > 0 && !compiled.kinds.has(object.kind)) continue;
        if (compiled.scope.length > 0 && !compiled.scope.some((selector) => selectorMatchesObject(selector, object))) continue;
        if (
          compiled.objectExclusions.length > 0 &&
          compiled.objectExclusions.some((exclusion) => active(exclusion) && selectorMatchesObject(exclusion, object))
        )
          continue;
        objectsChecked++;
        const hits = judge(compiled, object, objectContext, containers);
        if (hits) emit(compiled, object, hits);
      }
    }
  }
  if (options.locateAll && findings.length > 0) {
    const locations = options.locateAll(findings.map((finding, index) => ({ object: located[index] as KubeObject, path: finding.path })));
    // The findings are still private to this call: set their locations in place rather than copy them all.
    findings.forEach((finding, index) => {
      const location = locations[index];
      if (location) (finding as { location: FileLocation }).location = location;
    });
  }
  return { findings, stats: { policies: policiesRun, objectsChecked, celErrors, celOverBudget } };
};
