import type { InputEntry, LoadOptions } from '../k8s/files/index.js';
import type { InputProblem, KubeObject, LifecycleStage } from '../model/index.js';
import type { Policy } from '../policy/index.js';
import type { WireFinding } from './wire.js';

/** Load options a worker can receive (functions do not cross threads). */
export type WorkerLoadOptions = Omit<LoadOptions, 'stdin'>;

/** Main thread → worker, first: the files to read and the policies to judge them with. */
export interface StartMessage {
  readonly type: 'start';
  readonly entries: readonly InputEntry[];
  readonly policies: readonly Policy[];
  readonly load: WorkerLoadOptions;
  readonly now: string;
  readonly stages: readonly LifecycleStage[];
  readonly knownPolicyIds?: readonly string[];
}

/** Worker → main thread: summaries of everything it read, for the other threads' cross-object questions. */
export interface SummaryMessage {
  readonly type: 'summary';
  readonly summaries: readonly KubeObject[];
}

/** Main thread → worker: every thread's summaries; the worker skips its own. */
export interface FinishMessage {
  readonly type: 'finish';
  readonly summaries: readonly (readonly KubeObject[])[];
  readonly self: number;
}

/** What a scan (or one thread's share of it) read, besides its findings. */
export interface ScanTallies {
  readonly problems: readonly InputProblem[];
  readonly kinds: Readonly<Record<string, number>>;
  readonly files: number;
  readonly documents: number;
  readonly celErrors: number;
}

/** Worker → main thread: its findings and counts. */
export interface ResultMessage extends ScanTallies {
  readonly type: 'result';
  readonly findings: readonly WireFinding[];
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
  readonly stack?: string;
}

export type WorkerMessage = SummaryMessage | ResultMessage | ErrorMessage;
export type MainMessage = StartMessage | FinishMessage;
