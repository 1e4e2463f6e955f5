import type { RawObject } from './reflector.js';

/** An object a change batch deletes, by the fields that name it. */
export interface ObjectReference {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface SnapshotBatch {
  readonly snapshotId: string;
  readonly objects: readonly RawObject[];
}

export interface ChangeBatch {
  readonly snapshotId: string;
  readonly sequence: number;
  readonly upserts: readonly RawObject[];
  readonly deletes: readonly ObjectReference[];
}

/**
 * Where batches go: central's ingest API. A send that throws did not reach central (or its
 * answer was lost) and is retried as it was; `resync` means central wants a full snapshot.
 */
export interface CentralLink {
  readonly sendSnapshot: (batch: SnapshotBatch) => Promise<void>;
  readonly sendChanges: (batch: ChangeBatch) => Promise<'applied' | 'resync'>;
}

export type ShipperEvent =
  | { readonly event: 'shipped'; readonly batch: 'snapshot' | 'changes'; readonly snapshotId: string; readonly sequence: number; readonly objects: number }
  | { readonly event: 'central-unreachable'; readonly message: string; readonly retryInMs: number; readonly buffered: number }
  | { readonly event: 'resync'; readonly reason: string };

export interface ShipperOptions {
  readonly link: CentralLink;
  /** Every object the sensor holds now, for a full snapshot. */
  readonly objects: () => readonly RawObject[];
  readonly emit: (event: ShipperEvent) => void;
  /** Distinct objects buffered while central is away; past it the buffer is dropped for a full resync. */
  readonly maxBuffered?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** An empty change batch this often tells central the sensor is alive. */
  readonly heartbeatMs?: number;
  readonly newSnapshotId?: () => string;
}

/** What the shipper has done and had to give up, for `/metrics`-style reporting and the tests. */
export interface ShipperCounters {
  readonly snapshots: number;
  readonly batches: number;
  readonly failures: number;
  /** Changes folded into one already buffered for the same object. */
  readonly coalesced: number;
  /** Times the buffer outgrew its bound and was dropped for a full snapshot. */
  readonly overflows: number;
  readonly resyncs: number;
  readonly buffered: number;
}

const keyOf = (reference: ObjectReference): string => `${reference.kind} ${reference.namespace ?? ''}/${reference.name}`;

const referenceOf = (kind: string, object: RawObject): ObjectReference => ({
  kind,
  ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
  name: object.metadata?.name ?? '',
});

/**
 * Streams a sensor's view to central: a full snapshot first and after every relist, then the
 * changes since, in numbered batches. While central is unreachable changes are buffered, one per
 * object (a later change to an object replaces the earlier one, and is counted as coalesced),
 * bounded: past the bound the buffer is dropped and a full snapshot sent once central is back.
 * A failed batch is retried exactly as it was, so a batch central applied but whose answer was
 * lost is recognised as a duplicate rather than half-applied.
 */
export class Shipper {
  #needFull = true;
  #snapshotId: string | undefined;
  #sequence = 0;
  #dirty = new Map<string, { readonly reference: ObjectReference; readonly object?: RawObject }>();
  #pending: ChangeBatch | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #backoffMs: number;
  #lastSentAt = 0;
  #counters = { snapshots: 0, batches: 0, failures: 0, coalesced: 0, overflows: 0, resyncs: 0 };

  constructor(private readonly options: ShipperOptions) {
    this.#backoffMs = options.initialBackoffMs ?? 500;
  }

  counters(): ShipperCounters {
    return { ...this.#counters, buffered: this.#dirty.size };
  }

  /** A resource was listed again: its objects may have changed in ways no event told. */
  relisted(): void {
    this.#needFull = true;
    this.#dirty.clear();
  }

  changed(kind: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: RawObject): void {
    if (this.#needFull) return;
    const reference = referenceOf(kind, object);
    const key = keyOf(reference);
    if (this.#dirty.has(key)) this.#counters.coalesced++;
    this.#dirty.delete(key);
    this.#dirty.set(key, type === 'DELETED' ? { reference } : { reference, object });
    if (this.#dirty.size > (this.options.maxBuffered ?? 10_000)) {
      this.#counters.overflows++;
      this.relisted();
    }
  }

  /** Sends what is due; resolves when central has it or the signal aborts. Calls made meanwhile fold into the run. */
  flush(signal: AbortSignal): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain(signal).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Sends heartbeats (and anything due) until the signal aborts. */
  async keepAlive(signal: AbortSignal): Promise<void> {
    const every = this.options.heartbeatMs ?? 30_000;
    while (!signal.aborted) {
      await sleep(Math.max(100, every - (Date.now() - this.#lastSentAt)), signal);
      if (!signal.aborted && Date.now() - this.#lastSentAt >= every) await this.flush(signal).catch(() => undefined);
    }
  }

  async #drain(signal: AbortSignal): Promise<void> {
    do {
      this.#again = false;
      while (!signal.aborted) {
        try {
          if (!(await this.#sendOne())) break;
          this.#backoffMs = this.options.initialBackoffMs ?? 500;
        } catch (error) {
          this.#counters.failures++;
          const retryInMs = Math.round(this.#backoffMs * (0.8 + Math.random() * 0.4));
          this.options.emit({ event: 'central-unreachable', message: (error as Error).message, retryInMs, buffered: this.#dirty.size });
          await sleep(retryInMs, signal);
          this.#backoffMs = Math.min(this.options.maxBackoffMs ?? 30_000, this.#backoffMs * 2);
        }
      }
    } while (this.#again && !signal.aborted);
  }

  /** One send; false when nothing was due. */
  async #sendOne(): Promise<boolean> {
    if (this.#needFull) {
      const snapshotId = this.options.newSnapshotId?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      // Taken before the send: changes arriving meanwhile are buffered on top of this snapshot.
      this.#needFull = false;
      this.#dirty.clear();
      this.#pending = undefined;
      const objects = this.options.objects();
      try {
        await this.options.link.sendSnapshot({ snapshotId, objects });
      } catch (error) {
        this.#needFull = true;
        throw error;
      }
      this.#snapshotId = snapshotId;
      this.#sequence = 0;
      this.#counters.snapshots++;
      this.#lastSentAt = Date.now();
      this.options.emit({ event: 'shipped', batch: 'snapshot', snapshotId, sequence: 0, objects: objects.length });
      return true;
    }
    const heartbeatDue = Date.now() - this.#lastSentAt >= (this.options.heartbeatMs ?? 30_000);
    if (!this.#pending && this.#dirty.size === 0 && !heartbeatDue) return false;
    if (!this.#pending) {
      const entries = [...this.#dirty.values()];
      this.#dirty.clear();
      this.#pending = {
        snapshotId: this.#snapshotId ?? '',
        sequence: this.#sequence + 1,
        upserts: entries.flatMap((entry) => (entry.object ? [entry.object] : [])),
        deletes: entries.filter((entry) => !entry.object).map((entry) => entry.reference),
      };
    }
    const batch = this.#pending;
    const outcome = await this.options.link.sendChanges(batch);
    this.#pending = undefined;
    this.#lastSentAt = Date.now();
    if (outcome === 'resync') {
      this.#counters.resyncs++;
      this.options.emit({ event: 'resync', reason: `central asked for a full snapshot after batch ${batch.sequence}` });
      this.relisted();
      return true;
    }
    this.#sequence = batch.sequence;
    this.#counters.batches++;
    this.options.emit({
      event: 'shipped',
      batch: 'changes',
      snapshotId: batch.snapshotId,
      sequence: batch.sequence,
      objects: batch.upserts.length + batch.deletes.length,
    });
    return this.#dirty.size > 0;
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
