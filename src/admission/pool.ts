import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { IgnoreRule } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import type { AdmissionDecision, AdmissionRequest } from './review.js';

/** What a decision worker needs: the policies as data (compiled in the worker) and the settings. */
export interface PoolSettings {
  readonly policies: readonly Policy[];
  /** Policies enforced at DEPLOY by `--enforce`, besides those whose files say so. */
  readonly enforced: readonly string[];
  readonly excludedNamespaces: readonly string[];
  readonly excludedUsers: readonly string[];
  readonly breakGlass: boolean;
  readonly ignoreRules: readonly IgnoreRule[];
}

export type WorkerRequest =
  | { readonly type: 'init'; readonly settings: PoolSettings }
  | { readonly type: 'decide'; readonly id: number; readonly request: AdmissionRequest; readonly now: string; readonly warningsForMs: number };

export type WorkerAnswer =
  | { readonly type: 'ready' }
  | { readonly type: 'decision'; readonly id: number; readonly decision: AdmissionDecision }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

export type PoolOutcome = { readonly decision: AdmissionDecision } | { readonly timedOut: true } | { readonly failed: string };

interface Job {
  readonly id: number;
  readonly request: AdmissionRequest;
  readonly now: Date;
  readonly warningsForMs: number;
  readonly deadline: number;
  readonly resolve: (outcome: PoolOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job?: Job | undefined;
  timer?: NodeJS.Timeout | undefined;
}

/**
 * Decisions off the main thread: a few workers judge requests, each with its own event loop, so a
 * slow decision (a huge object, an expensive policy) never holds the server, its probes or the
 * other requests. A decision still running at its hard deadline is stopped by terminating its
 * worker, which is replaced; the caller answers with the failure policy.
 */
export class DecisionPool {
  #settings: PoolSettings;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #next = 0;
  #closed = false;

  constructor(settings: PoolSettings, size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.#settings = settings;
    for (let index = 0; index < size; index++) this.#slots.push(this.#spawn());
  }

  /**
   * New policies for every worker: each compiles them after the decisions it already holds, so
   * no request is judged half by the old set and half by the new; workers spawned later get them.
   */
  reconfigure(settings: Pick<PoolSettings, 'policies' | 'enforced'>): void {
    this.#settings = { ...this.#settings, ...settings };
    for (const slot of this.#slots) slot.worker.postMessage({ type: 'init', settings: this.#settings } satisfies WorkerRequest);
  }

  /** Resolves once every worker has compiled the policies. */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => slot.ready));
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    const slot: Slot = { worker, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const onReady = (message: WorkerAnswer): void => {
        if (message.type !== 'ready') return;
        worker.off('message', onReady);
        resolve();
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
    worker.on('message', (message: WorkerAnswer) => {
      if (message.type === 'ready' || !slot.job || slot.job.id !== message.id) return;
      const job = slot.job;
      this.#release(slot);
      job.resolve(message.type === 'decision' ? { decision: message.decision } : { failed: message.message });
    });
    worker.on('error', (error) => {
      const job = slot.job;
      this.#replace(slot);
      job?.resolve({ failed: `decision worker failed: ${error.message}` });
    });
    worker.postMessage({ type: 'init', settings: this.#settings } satisfies WorkerRequest);
    return slot;
  }

  #release(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    this.#pump();
  }

  #replace(slot: Slot): void {
    clearTimeout(slot.timer);
    void slot.worker.terminate();
    const index = this.#slots.indexOf(slot);
    if (index >= 0 && !this.#closed) this.#slots[index] = this.#spawn();
    this.#pump();
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.job) continue;
      const job = this.#queue.shift();
      if (!job) return;
      const left = job.deadline - performance.now();
      if (left <= 0) {
        job.resolve({ timedOut: true });
        continue;
      }
      slot.job = job;
      slot.timer = setTimeout(() => {
        // Still deciding at the hard deadline: stop it, whatever it was doing.
        this.#replace(slot);
        job.resolve({ timedOut: true });
      }, left);
      void slot.ready.then(() => {
        if (slot.job === job)
          slot.worker.postMessage({
            type: 'decide',
            id: job.id,
            request: job.request,
            now: job.now.toISOString(),
            warningsForMs: job.warningsForMs,
          } satisfies WorkerRequest);
      });
    }
  }

  /**
   * Decides a request by `deadline` (a `performance.now()` instant): the warnings-only policies
   * are judged during the first `warningsForMs` of the decision, the enforced ones in any case.
   */
  decide(request: AdmissionRequest, now: Date, warningsForMs: number, deadline: number): Promise<PoolOutcome> {
    if (this.#closed) return Promise.resolve({ failed: 'the webhook is shutting down' });
    return new Promise((resolve) => {
      this.#queue.push({ id: this.#next++, request, now, warningsForMs, deadline, resolve });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.resolve({ failed: 'the webhook is shutting down' });
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }
}
