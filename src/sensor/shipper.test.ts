import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawObject } from './reflector.js';
import { Shipper, type ChangeBatch, type ShipperEvent, type SnapshotBatch } from './shipper.js';

const pod = (name: string, version: string): RawObject => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'shop', resourceVersion: version } });

/**
 * Central's side as the shipper sees it: applies batches in order as the ingest API does
 * (duplicates ignored, gaps refused with resync), and can be taken away.
 */
class Receiver {
  up = true;
  /** When set, the next send is applied but its answer lost (central crashed after committing). */
  loseNextAnswer = false;
  snapshotId = '';
  sequence = 0;
  objects = new Map<string, RawObject>();
  readonly log: string[] = [];

  readonly link = {
    sendSnapshot: async (batch: SnapshotBatch): Promise<void> => {
      if (!this.up) throw new Error('connect ECONNREFUSED');
      this.snapshotId = batch.snapshotId;
      this.sequence = 0;
      this.objects = new Map(batch.objects.map((object) => [object.metadata?.name ?? '', object]));
      this.log.push(`snapshot ${batch.objects.length}`);
    },
    sendChanges: async (batch: ChangeBatch): Promise<'applied' | 'resync'> => {
      if (!this.up) throw new Error('connect ECONNREFUSED');
      if (batch.snapshotId !== this.snapshotId || batch.sequence > this.sequence + 1) return 'resync';
      if (batch.sequence <= this.sequence) {
        this.log.push(`duplicate ${batch.sequence}`);
        return 'applied';
      }
      for (const object of batch.upserts) this.objects.set(object.metadata?.name ?? '', object);
      for (const reference of batch.deletes) this.objects.delete(reference.name);
      this.sequence = batch.sequence;
      this.log.push(`changes ${batch.sequence} +${batch.upserts.length} -${batch.deletes.length}`);
      if (this.loseNextAnswer) {
        this.loseNextAnswer = false;
        throw new Error('socket hang up');
      }
      return 'applied';
    },
  };
}

const setup = (maxBuffered = 100) => {
  const cluster = new Map<string, RawObject>([['a', pod('a', '1')]]);
  const receiver = new Receiver();
  const events: ShipperEvent[] = [];
  const shipper = new Shipper({
    link: receiver.link,
    objects: () => [...cluster.values()],
    emit: (event) => events.push(event),
    maxBuffered,
    initialBackoffMs: 1,
    maxBackoffMs: 5,
    heartbeatMs: 60_000,
  });
  const change = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: RawObject): void => {
    if (type === 'DELETED') cluster.delete(object.metadata?.name ?? '');
    else cluster.set(object.metadata?.name ?? '', object);
    shipper.changed('Pod', type, object);
  };
  const inSync = (): void => assert.deepEqual([...receiver.objects.keys()].sort(), [...cluster.keys()].sort(), 'central holds what the cluster holds');
  return { cluster, receiver, events, shipper, change, inSync };
};

describe('the shipper that streams a sensor to central', () => {
  it('sends a full snapshot first, then numbered change batches', async () => {
    const { receiver, shipper, change, inSync } = setup();
    const signal = new AbortController().signal;
    await shipper.flush(signal);
    change('ADDED', pod('b', '2'));
    change('DELETED', pod('a', '1'));
    await shipper.flush(signal);
    assert.deepEqual(receiver.log, ['snapshot 1', 'changes 1 +1 -1']);
    inSync();
  });

  it('buffers while central is away, one entry per object (counting what it coalesced), and catches up when it is back', async () => {
    const { receiver, shipper, change, inSync } = setup();
    const controller = new AbortController();
    await shipper.flush(controller.signal);
    receiver.up = false;
    change('MODIFIED', pod('a', '2'));
    const flushing = shipper.flush(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (let version = 3; version < 7; version++) change('MODIFIED', pod('a', String(version)));
    change('ADDED', pod('c', '7'));
    assert.deepEqual(
      [shipper.counters().buffered, shipper.counters().coalesced],
      [2, 3],
      'the failed batch is kept aside; the buffer holds one entry per object',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    receiver.up = true;
    await shipper.flush(controller.signal);
    await flushing;
    assert.equal(receiver.objects.get('a')?.metadata?.resourceVersion, '6', 'the newest version of a coalesced object arrives');
    inSync();
    assert.ok(shipper.counters().failures > 0);
  });

  it('retries a batch whose answer was lost exactly as it was: central sees a duplicate, never half a batch', async () => {
    const { receiver, shipper, change, inSync } = setup();
    const signal = new AbortController().signal;
    await shipper.flush(signal);
    change('ADDED', pod('b', '2'));
    receiver.loseNextAnswer = true;
    const flushing = shipper.flush(signal);
    change('ADDED', pod('c', '3'));
    await flushing;
    await shipper.flush(signal);
    assert.deepEqual(receiver.log, ['snapshot 1', 'changes 1 +1 -0', 'duplicate 1', 'changes 2 +1 -0']);
    inSync();
  });

  it('past its bound drops the buffer and resynchronises with a full snapshot; a resync answer does the same', async () => {
    const { receiver, shipper, change, inSync, events } = setup(3);
    const signal = new AbortController().signal;
    await shipper.flush(signal);
    for (let index = 0; index < 5; index++) change('ADDED', pod(`p${index}`, String(index + 10)));
    assert.equal(shipper.counters().overflows, 1);
    await shipper.flush(signal);
    assert.deepEqual(receiver.log.slice(-1), ['snapshot 6']);
    inSync();
    // Central lost its state (restored from an older backup): it asks for the whole cluster again.
    receiver.snapshotId = 'other';
    change('DELETED', pod('p0', '10'));
    await shipper.flush(signal);
    assert.ok(events.some((event) => event.event === 'resync'));
    assert.deepEqual(receiver.log.slice(-1), ['snapshot 5']);
    inSync();
  });
});
