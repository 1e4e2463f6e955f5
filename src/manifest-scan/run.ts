import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { discoverInputs, readEntries, type InputEntry, type LoadOptions } from '../k8s/files/index.js';
import { loadSchemaValidator } from '../k8s/index.js';
import type { Finding, KubeObject, LifecycleStage } from '../model/index.js';
import type { CompiledPolicy } from '../policy/index.js';
import { countKinds } from '../report/index.js';
import type { MainMessage, ResultMessage, ScanTallies, SummaryMessage, WorkerMessage } from './protocol.js';
import { ScanSession } from './session.js';
import { decodeFindings } from './wire.js';

export interface ScanJobOptions {
  readonly load: LoadOptions;
  readonly policies: readonly CompiledPolicy[];
  readonly now: Date;
  readonly stages: readonly LifecycleStage[];
  /** Threads to use; by default one per core once the input is large enough to be worth it. */
  readonly threads?: number;
  /** Every policy id that exists, to warn about `kubeward.io/ignore` annotations that name none. */
  readonly knownPolicyIds?: readonly string[];
}

export interface ScanJobResult extends ScanTallies {
  readonly findings: readonly Finding[];
  readonly threads: number;
}

/** Below this much YAML a worker costs more to start than it saves. */
const PARALLEL_THRESHOLD_BYTES = 4 * 1024 * 1024;

/**
 * One thread per core on machines with at least four cores. On two cores the garbage
 * collector's own threads already keep the second core busy: measured on the 10,000-workload
 * benchmark, a second scan thread brought no speed and a third more memory (see docs/performance.md).
 */
const defaultThreads = (bytes: number): number => {
  const cores = availableParallelism();
  if (bytes < PARALLEL_THRESHOLD_BYTES || cores < 4) return 1;
  return Math.min(cores, 8, Math.ceil(bytes / PARALLEL_THRESHOLD_BYTES));
};

/**
 * Splits the files into contiguous runs of about equal size; the main thread takes the first run
 * together with everything that is not a plain file (stdin, Kustomize output, problems).
 */
const partition = (entries: readonly InputEntry[], threads: number): InputEntry[][] => {
  const files = entries.filter((entry): entry is Extract<InputEntry, { kind: 'file' }> => entry.kind === 'file');
  const others = entries.filter((entry) => entry.kind !== 'file');
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const parts: InputEntry[][] = Array.from({ length: threads }, () => []);
  let part = 0;
  let filled = 0;
  for (const file of files) {
    if (filled >= ((part + 1) * total) / threads && part < threads - 1) part++;
    (parts[part] as InputEntry[]).push(file);
    filled += file.size;
  }
  (parts[0] as InputEntry[]).push(...others);
  return parts;
};

/** A worker thread and the next message it will send. */
class ScanWorker {
  readonly #worker: Worker;
  readonly #queue: WorkerMessage[] = [];
  readonly #waiting: ((message: WorkerMessage) => void)[] = [];

  constructor() {
    this.#worker = new Worker(new URL('./worker.js', import.meta.url));
    const deliver = (message: WorkerMessage): void => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#queue.push(message);
    };
    this.#worker.on('message', deliver);
    this.#worker.on('error', (error) => deliver({ type: 'error', message: error.message }));
  }

  send(message: MainMessage): void {
    this.#worker.postMessage(message);
  }

  async next<T extends WorkerMessage['type']>(type: T): Promise<Extract<WorkerMessage, { type: T }>> {
    const message = this.#queue.shift() ?? (await new Promise<WorkerMessage>((resolve) => this.#waiting.push(resolve)));
    if (message.type === 'error') throw new Error(`scan worker failed: ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
    if (message.type !== type) throw new Error(`scan worker sent ${message.type}, expected ${type}`);
    return message as Extract<WorkerMessage, { type: T }>;
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/**
 * Runs a scan over the inputs. Large inputs are split over worker threads: each reads and
 * judges its share, the threads swap summaries of what they read so cross-object policies see
 * everything, and each then judges its own objects against the whole picture.
 */
export const runScanJob = async (inputs: readonly string[], options: ScanJobOptions): Promise<ScanJobResult> => {
  const entries = await discoverInputs(inputs, options.load);
  const bytes = entries.reduce((sum, entry) => sum + (entry.kind === 'file' ? entry.size : 0), 0);
  const threads = Math.max(1, Math.min(options.threads ?? defaultThreads(bytes), entries.filter((entry) => entry.kind === 'file').length || 1));
  const parts = partition(entries, threads);
  const { stdin, ...load } = options.load;
  const workers = parts.slice(1).map((part) => {
    const worker = new ScanWorker();
    worker.send({
      type: 'start',
      entries: part,
      policies: options.policies.map((compiled) => compiled.policy),
      load,
      now: options.now.toISOString(),
      stages: options.stages,
      ...(options.knownPolicyIds ? { knownPolicyIds: options.knownPolicyIds } : {}),
    });
    return worker;
  });
  try {
    const validateSchema = options.policies.some((policy) => policy.needsSchemas) ? await loadSchemaValidator() : undefined;
    const session = new ScanSession(options.policies, {
      now: options.now,
      stages: options.stages,
      manifest: options.load,
      ...(validateSchema ? { validateSchema } : {}),
      ...(options.knownPolicyIds ? { knownPolicyIds: new Set(options.knownPolicyIds) } : {}),
    });
    for await (const event of readEntries(parts[0] ?? [], { ...load, stdin }, session.sources)) {
      if (event.kind === 'manifest') session.addManifest(event.text, event.file, event.problems);
      else if (event.kind === 'objects') session.addObjects(event.objects, event.problems, event.documents);
      else session.addProblem(event.problem);
    }
    if (workers.length === 0) {
      // Named fields only: the objects themselves must not outlive the scan.
      const { findings, problems, files, documents, celErrors, objects } = session.finish();
      return { findings, problems, kinds: countKinds(objects), files, documents, celErrors, threads };
    }
    const own = session.summaries();
    const theirs: SummaryMessage[] = await Promise.all(workers.map((worker) => worker.next('summary')));
    const all: (readonly KubeObject[])[] = [own, ...theirs.map((message) => message.summaries)];
    workers.forEach((worker, index) => worker.send({ type: 'finish', summaries: all, self: index + 1 }));
    const mine = session.finish(all.slice(1).flat(), true);
    const results: ResultMessage[] = await Promise.all(workers.map((worker) => worker.next('result')));
    const kinds = countKinds(mine.objects);
    for (const result of results) for (const [kind, count] of Object.entries(result.kinds)) kinds[kind] = (kinds[kind] ?? 0) + count;
    return {
      findings: [...mine.findings, ...results.flatMap((result) => decodeFindings(result.findings, options.policies))],
      problems: [...mine.problems, ...results.flatMap((result) => result.problems)],
      kinds,
      files: mine.files + results.reduce((sum, result) => sum + result.files, 0),
      documents: mine.documents + results.reduce((sum, result) => sum + result.documents, 0),
      celErrors: mine.celErrors + results.reduce((sum, result) => sum + result.celErrors, 0),
      threads,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
};
