import type { KubeConfig } from '@kubernetes/client-node';
import { buildSnapshot, normaliseDocument } from '../k8s/index.js';
import type { ClusterSnapshot, Finding, KubeObject } from '../model/index.js';
import { applyIgnoreRules, type IgnoreRule } from '../policy/index.js';
import { diffFindings, evaluatePolicies, findingState, type CompiledPolicy, type FindingState } from '../policy/index.js';
import { Reflector, type RawObject, type ReflectorSink } from './reflector.js';
import { objectKey, WATCHED_RESOURCES, type WatchedResource } from './resources.js';

export type SensorEvent =
  | { readonly event: 'synced'; readonly objects: number; readonly byKind: Readonly<Record<string, number>> }
  | {
      readonly event: 'violation' | 'resolved';
      readonly policyId: string;
      readonly policyName: string;
      readonly severity: string;
      readonly object: Finding['object'];
      readonly container?: string;
      readonly message: string;
      readonly enforced: boolean;
    }
  | { readonly event: 'note' | 'warning'; readonly resource: string; readonly message: string };

export interface SensorOptions {
  readonly policies: readonly CompiledPolicy[];
  /** `.kubeward.yaml` `ignore:` rules: the findings they cover are not reported, as in `kubeward scan`. */
  readonly ignoreRules?: readonly IgnoreRule[];
  readonly now: () => Date;
  /** Changes arriving within this many milliseconds are judged together. */
  readonly debounceMs: number;
  readonly emit: (event: SensorEvent) => void;
  /** Called after every evaluation with the objects held, for state dumps. */
  readonly onEvaluated?: (state: SensorState) => void;
  readonly resources?: readonly WatchedResource[];
  /** Told of every list and change as it arrives (the central shipper). */
  readonly observer?: SensorObserver;
  /** False: the sensor only keeps the model (central judges it); no violation events. */
  readonly judge?: boolean;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly watchTimeoutSeconds?: number;
}

export interface SensorObserver {
  /** A list replaced a resource's objects with a different set. */
  readonly relisted: (kind: string) => void;
  readonly changed: (kind: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: RawObject) => void;
  /** The debounce after a burst of changes has passed. */
  readonly settled: () => void;
}

/** What the sensor holds: every object's resourceVersion, by `Kind namespace/name`. */
export interface SensorState {
  readonly objects: Readonly<Record<string, string>>;
}

/**
 * Watches a cluster into the model the manifest loader produces and judges it with the
 * DEPLOY-stage policies on every change, reporting violations as they appear and as they are
 * resolved. Secrets are read as metadata only, so their values never reach this process.
 */
export class Sensor {
  readonly #store = new Map<string, Map<string, RawObject>>();
  readonly #normalised = new WeakMap<RawObject, readonly KubeObject[]>();
  #findings: FindingState = new Map();
  #synced = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #evaluatedOnce = false;

  constructor(private readonly options: SensorOptions) {}

  #resources(): readonly WatchedResource[] {
    return this.options.resources ?? WATCHED_RESOURCES;
  }

  /** Runs until the signal aborts. */
  async run(config: KubeConfig, signal: AbortSignal): Promise<void> {
    const sink: ReflectorSink = {
      replace: (resource, items) => {
        const before = this.#store.get(resource.kind);
        const after = new Map(items.map((item) => [objectKey(item), item]));
        this.#store.set(resource.kind, after);
        const same =
          before?.size === after.size && [...after].every(([key, item]) => before.get(key)?.metadata?.resourceVersion === item.metadata?.resourceVersion);
        if (!same) this.options.observer?.relisted(resource.kind);
        const first = !this.#synced.has(resource.kind);
        this.#synced.add(resource.kind);
        if (first && this.#synced.size === this.#resources().length) this.#emitSynced();
        else if (!first) this.#emitSynced();
        this.#schedule();
      },
      apply: (resource, type, object) => {
        const objects = this.#store.get(resource.kind) ?? new Map<string, RawObject>();
        this.#store.set(resource.kind, objects);
        if (type === 'DELETED') objects.delete(objectKey(object));
        else objects.set(objectKey(object), object);
        this.options.observer?.changed(resource.kind, type, object);
        this.#schedule();
      },
      note: (resource, message) => this.options.emit({ event: 'note', resource: resource.plural, message }),
      unavailable: (resource, message) => {
        this.options.emit({ event: 'warning', resource: resource.plural, message });
        sink.replace(resource, [], '');
      },
    };
    const reflectorOptions = {
      signal,
      initialBackoffMs: this.options.initialBackoffMs ?? 500,
      maxBackoffMs: this.options.maxBackoffMs ?? 30_000,
      watchTimeoutSeconds: this.options.watchTimeoutSeconds ?? 240,
    };
    await Promise.all(this.#resources().map((resource) => new Reflector(config, resource, sink, reflectorOptions).run()));
    clearTimeout(this.#timer);
  }

  #emitSynced(): void {
    const byKind = Object.fromEntries([...this.#store].map(([kind, objects]) => [kind, objects.size]));
    this.options.emit({ event: 'synced', objects: Object.values(byKind).reduce((sum, count) => sum + count, 0), byKind });
  }

  #schedule(): void {
    // Judge only once every resource has been listed: a half-read cluster has false findings.
    if (this.#synced.size < this.#resources().length) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.options.judge !== false) this.evaluate();
      this.options.observer?.settled();
    }, this.options.debounceMs);
  }

  /** Every object held, as the API server gave it (Secrets as metadata only). */
  rawObjects(): RawObject[] {
    return [...this.#store.values()].flatMap((objects) => [...objects.values()]);
  }

  /** The cluster as the model sees it now. */
  snapshot(): ClusterSnapshot {
    const objects: KubeObject[] = [];
    for (const [kind, items] of this.#store) {
      for (const [key, raw] of items) {
        let normalised = this.#normalised.get(raw);
        if (!normalised) {
          normalised = normaliseDocument(raw, { file: `cluster:${kind}/${key}`, documentIndex: 0, defaultNamespace: 'default' }).objects;
          this.#normalised.set(raw, normalised);
        }
        objects.push(...normalised);
      }
    }
    return buildSnapshot(objects);
  }

  state(): SensorState {
    const objects: Record<string, string> = {};
    for (const [kind, items] of this.#store) for (const [key, raw] of items) objects[`${kind} ${key}`] = raw.metadata?.resourceVersion ?? '';
    return { objects };
  }

  /** Judges the current snapshot and reports what changed since the last judgement. */
  evaluate(): void {
    const now = this.options.now();
    const judged = evaluatePolicies(this.snapshot(), this.options.policies, { now, stages: ['DEPLOY'] }).findings;
    // Judged against the clock on every pass: a rule that expires brings its findings back as violations.
    const { findings } = applyIgnoreRules(judged, this.options.ignoreRules ?? [], now);
    const current = findingState(findings);
    const report = (event: 'violation' | 'resolved', finding: Finding): void =>
      this.options.emit({
        event,
        policyId: finding.policyId,
        policyName: finding.policyName,
        severity: finding.severity,
        object: finding.object,
        ...(finding.container ? { container: finding.container } : {}),
        message: finding.message,
        enforced: finding.enforcedAt.includes('DEPLOY'),
      });
    const { appeared, resolved } = diffFindings(this.#findings, current);
    for (const finding of appeared) report('violation', finding);
    if (this.#evaluatedOnce) for (const finding of resolved) report('resolved', finding);
    this.#findings = current;
    this.#evaluatedOnce = true;
    this.options.onEvaluated?.(this.state());
  }
}
