import { readManifest, type ManifestOptions } from '../k8s/index.js';
import type { SchemaValidator } from '../k8s/index.js';
import { buildSnapshot } from '../k8s/index.js';
import { SourceIndex, type LocateRequest } from '../k8s/index.js';
import { joinPath, WORKLOAD_KINDS, type Finding, type InputProblem, type KubeObject, type LifecycleStage } from '../model/index.js';
import type { CompiledPolicy } from '../policy/index.js';
import { evaluatePolicies, IGNORE_ANNOTATION, ignoredPolicies } from '../policy/index.js';
import { SUMMARY_FIELDS, summarise } from './summary.js';

export interface SessionOptions {
  /** Exclusion expiry is judged against this instant. */
  readonly now: Date;
  readonly stages: readonly LifecycleStage[];
  readonly manifest: ManifestOptions;
  /** Every policy id that exists (active or not), to warn about ignore annotations naming none of them. */
  readonly knownPolicyIds?: ReadonlySet<string>;
  /** Kubernetes schema checks, for policies that use them (the caller loads the schemas). */
  readonly validateSchema?: SchemaValidator;
}

export interface SessionResult {
  /** Every object read (light copies: the manifest body is reduced to its metadata where no policy needs it). */
  readonly objects: readonly KubeObject[];
  readonly findings: readonly Finding[];
  readonly problems: readonly InputProblem[];
  readonly files: number;
  readonly documents: number;
  readonly celErrors: number;
}

const WORKLOAD_KIND_SET: ReadonlySet<string> = new Set(WORKLOAD_KINDS);
const BATCH = 16;
/** Kinds whose manifest body cross-object fields still read (Prometheus ServiceMonitors, OpenShift Routes, ...). */
const keepsBody = (object: KubeObject): boolean =>
  !WORKLOAD_KIND_SET.has(object.kind) &&
  ![
    'Service',
    'Ingress',
    'NetworkPolicy',
    'ServiceAccount',
    'Role',
    'ClusterRole',
    'RoleBinding',
    'ClusterRoleBinding',
    'Secret',
    'ConfigMap',
    'Namespace',
    'PodDisruptionBudget',
    'HorizontalPodAutoscaler',
  ].includes(object.kind);

/** Workloads a controller owns (pods of a ReplicaSet in a cluster dump) are judged once the owner may be known. */
const ownedByController = (object: KubeObject): boolean =>
  WORKLOAD_KIND_SET.has(object.kind) && (object as { ownedByController?: boolean }).ownedByController === true;

/**
 * One scan, fed a manifest at a time. Policies that judge an object on its own run as soon as
 * the object is read, while its document is at hand; the object is then kept as a light copy
 * (its normalised model, not its manifest body). Policies that need other objects run in
 * `finish`, over the light copies. Memory stays proportional to the model, not to the YAML.
 */
export class ScanSession {
  readonly #local: readonly CompiledPolicy[];
  readonly #cross: readonly CompiledPolicy[];
  readonly #options: SessionOptions;
  readonly #keepManifests: boolean;
  /** When cross-object policies read only what summaries hold, workloads are kept as summaries. */
  readonly #summariseWorkloads: boolean;
  readonly #sources = new SourceIndex();
  readonly #objects: KubeObject[] = [];
  readonly #deferred = new Set<KubeObject>();
  /** Objects read but not yet judged: judging a few hundred at a time spreads the fixed cost of a pass. */
  #batch: KubeObject[] = [];
  readonly #findings: Finding[] = [];
  readonly #problems: InputProblem[] = [];
  #files = 0;
  #documents = 0;
  #celErrors = 0;

  constructor(policies: readonly CompiledPolicy[], options: SessionOptions) {
    this.#local = policies.filter((policy) => !policy.crossObject);
    this.#cross = policies.filter((policy) => policy.crossObject);
    this.#options = options;
    this.#keepManifests = this.#cross.some((policy) => policy.readsManifest);
    this.#summariseWorkloads =
      !this.#keepManifests &&
      this.#cross
        .filter(
          (policy) =>
            policy.policy.target === 'Workload' ||
            (policy.policy.target === 'Object' && (policy.kinds.size === 0 || [...policy.kinds].some((kind) => WORKLOAD_KIND_SET.has(kind)))),
        )
        .every((policy) =>
          policy.sections.every((section) => section.conditions.every((condition) => condition.kind === 'field' && SUMMARY_FIELDS.has(condition.field.name))),
        );
  }

  get sources(): SourceIndex {
    return this.#sources;
  }

  /** Reads one manifest file's text and judges its objects. */
  addManifest(text: string, file: string, problems: readonly InputProblem[] = []): void {
    const read = readManifest(text, file, this.#options.manifest, this.#sources);
    this.#files++;
    this.#documents += read.documents;
    this.#problems.push(...problems, ...read.problems);
    this.#judge(read.objects);
  }

  /** Adds objects read elsewhere (Kustomize output) whose sources are already registered. */
  addObjects(objects: readonly KubeObject[], problems: readonly InputProblem[], documents: number): void {
    this.#files++;
    this.#documents += documents;
    this.#problems.push(...problems);
    this.#judge(objects);
  }

  /** Records an input that could not be read; it counts as a file unless it did not exist. */
  addProblem(problem: InputProblem): void {
    if (problem.code !== 'not-found' && problem.code !== 'symlink-loop') this.#files++;
    this.#problems.push(problem);
  }

  #judge(objects: readonly KubeObject[]): void {
    if (this.#options.knownPolicyIds) this.#checkIgnoreAnnotations(objects, this.#options.knownPolicyIds);
    for (const object of objects) {
      if (ownedByController(object)) {
        // Kept whole: judged in finish, once it is known whether its controller is in the input.
        this.#deferred.add(object);
        this.#objects.push(object);
      } else this.#batch.push(object);
    }
    if (this.#batch.length >= BATCH) this.#flush();
  }

  /** Judges the objects read since the last flush with the local policies, then keeps light copies. */
  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length > 0 && this.#local.length > 0) {
      const result = evaluatePolicies(buildSnapshot(batch), this.#local, {
        now: this.#options.now,
        stages: this.#options.stages,
        locateAll: (requests) => this.#sources.locateAll(requests),
        ...(this.#options.validateSchema ? { validateSchema: this.#options.validateSchema } : {}),
      });
      for (const finding of result.findings) this.#findings.push(finding);
      this.#celErrors += result.stats.celErrors;
    }
    for (const object of batch) this.#objects.push(this.#keepManifests || keepsBody(object) ? object : this.#lighten(object));
  }

  /** A smaller copy of a judged object for the cross-object phase, carrying the same source. */
  #lighten(object: KubeObject): KubeObject {
    const light = this.#summariseWorkloads && WORKLOAD_KIND_SET.has(object.kind) ? summarise(object, true) : this.#withoutBody(object);
    this.#sources.transfer(object, light);
    return light;
  }

  /** A copy of the object without its manifest body (metadata stays). */
  #withoutBody(object: KubeObject): KubeObject {
    const { metadata } = object.raw as { metadata?: Record<string, unknown> };
    return {
      ...object,
      raw: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: metadata?.name, namespace: metadata?.namespace, labels: metadata?.labels, annotations: metadata?.annotations },
      },
    } as KubeObject;
  }

  /** An id in `kubeward.io/ignore` that names no policy suppresses nothing: most likely a typo, so say so. */
  #checkIgnoreAnnotations(objects: readonly KubeObject[], known: ReadonlySet<string>): void {
    for (const object of objects) {
      const ignore = ignoredPolicies(object);
      if (!ignore) continue;
      const unknown = [...ignore.ids].filter((id) => id !== '*' && !known.has(id));
      if (unknown.length === 0) continue;
      const onObject = object.annotations[IGNORE_ANNOTATION] !== undefined;
      const [at] = this.#sources.locateAll([
        { object, path: joinPath(onObject ? 'metadata.annotations' : 'spec.template.metadata.annotations', IGNORE_ANNOTATION) },
      ]);
      this.#problems.push({
        code: 'unknown-policy',
        file: at?.file ?? object.source.file,
        line: at?.line ?? object.source.line,
        message: `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}: ${IGNORE_ANNOTATION} names no policy with the id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
        level: 'warning',
      });
    }
  }

  /** Summaries of this session's objects, for sessions running in other threads. */
  summaries(): KubeObject[] {
    this.#flush();
    return this.#objects.map((object) => summarise(object));
  }

  /**
   * Runs the policies that need the whole picture, and those deferred for controller-owned
   * workloads. `external` are summaries of objects other sessions read: they answer questions
   * but are not judged here. Namespaces no object declares are judged by one session only.
   */
  finish(external: readonly KubeObject[] = [], judgeUndeclaredNamespaces = true): SessionResult {
    this.#flush();
    const snapshot = buildSnapshot(external.length > 0 ? [...this.#objects, ...external] : this.#objects);
    const own = external.length > 0 ? new Set(this.#objects) : undefined;
    const options = {
      now: this.#options.now,
      stages: this.#options.stages,
      locateAll: (requests: readonly LocateRequest[]) => this.#sources.locateAll(requests),
      ...(this.#options.validateSchema ? { validateSchema: this.#options.validateSchema } : {}),
    };
    const cross = evaluatePolicies(snapshot, this.#cross, { ...options, ...(own ? { only: own } : {}), judgeUndeclaredNamespaces });
    const deferred =
      this.#deferred.size > 0 ? evaluatePolicies(snapshot, this.#local, { ...options, only: this.#deferred, judgeUndeclaredNamespaces: false }) : undefined;
    return {
      objects: this.#objects,
      findings: [...this.#findings, ...cross.findings, ...(deferred?.findings ?? [])],
      problems: this.#problems,
      files: this.#files,
      documents: this.#documents,
      celErrors: this.#celErrors + cross.stats.celErrors + (deferred?.stats.celErrors ?? 0),
    };
  }
}
