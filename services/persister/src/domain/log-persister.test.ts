import type { SequencedBatch } from '@lfsync/contracts';
import type { EventWriter, LogDelivery } from '@lfsync/ports';
import { FakeClock, sequencedBatch } from '@lfsync/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createPersisterMetrics } from '../metrics.ts';
import { LogPersister, type LogReader } from './log-persister.ts';

/**
 * Inserts complete when the test releases them, in any order it likes; so do indexes with `holdIndex`
 * (otherwise at once).
 */
class ControlledStore implements EventWriter {
  readonly log: string[] = [];
  readonly pending: Array<{ from: number; release(): void; fail(): void }> = [];
  /** Each held index write: its first batch's start and how many batches it covers. */
  readonly indexes: Array<{ from: number; batches: number; release(): void }> = [];
  /** The `indexedThrough` of each `advanceHeads`, for repository `r`. */
  readonly indexedThrough: Array<number | undefined> = [];
  committed = 0;
  holdIndex = false;
  head(): Promise<number> {
    return Promise.resolve(this.committed);
  }
  resumeAt(): Promise<number> {
    return this.head();
  }
  insert(batches: readonly SequencedBatch[]): Promise<{ displacedEventIds: string[] }> {
    const from = batches[0]?.fromSequence ?? 0;
    return new Promise((resolve, reject) => {
      this.pending.push({
        from,
        release: () => {
          this.log.push(`stored ${from}`);
          resolve({ displacedEventIds: [] });
        },
        fail: () => reject(new Error('connection reset')),
      });
    });
  }
  insertBodies(batches: readonly SequencedBatch[]): Promise<{ displacedEventIds: string[] }> {
    return this.insert(batches);
  }
  index(batches: readonly SequencedBatch[]): Promise<{ displacedEventIds: string[] }> {
    if (!this.holdIndex) return Promise.resolve({ displacedEventIds: [] });
    const from = batches[0]?.fromSequence ?? 0;
    return new Promise((resolve) => {
      this.indexes.push({
        from,
        batches: batches.length,
        release: () => {
          this.log.push(`indexed ${from}`);
          resolve({ displacedEventIds: [] });
        },
      });
    });
  }
  advanceHeads(
    heads: ReadonlyMap<string, number>,
    indexedThrough?: ReadonlyMap<string, number>,
  ): Promise<void> {
    const head = heads.get('r') ?? 0;
    this.log.push(`head ${head}`);
    this.indexedThrough.push(indexedThrough?.get('r'));
    this.committed = Math.max(this.committed, head);
    return Promise.resolve();
  }
}

function delivery(b: SequencedBatch, log: string[]): LogDelivery {
  const data = new TextEncoder().encode(JSON.stringify(b));
  return {
    data,
    ack: () => log.push(`ack ${b.fromSequence}`),
    retryLater: () => log.push(`retry ${b.fromSequence}`),
    reject: () => log.push(`reject ${b.fromSequence}`),
    working: () => undefined,
  };
}

function setup(writesInFlight: number, logReader?: LogReader, indexQuietMs = 0) {
  const store = new ControlledStore();
  const published: Uint8Array[] = [];
  const clock = new FakeClock();
  const metrics = createPersisterMetrics();
  const persister = new LogPersister({
    ...(logReader === undefined ? {} : { logReader }),
    store,
    clock,
    publisher: { publish: (_repository, data) => published.push(data) },
    logger: pino({ level: 'silent' }),
    metrics,
    writesInFlight,
    indexQuietMs,
  });
  return { store, persister, clock, metrics, published };
}

/** Lets every promise job started so far run to its end (the fakes never wait for real time). */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Has the persister take batch `from`–`to` as a group and lets its insert through. */
async function commitGroup(
  { store, persister }: { store: ControlledStore; persister: LogPersister },
  from: number,
  to: number,
): Promise<void> {
  const taken = persister.persist([delivery(sequencedBatch(from, to), store.log)]);
  await tick();
  store.pending.shift()?.release();
  await taken;
}

describe('LogPersister with several writes in flight', () => {
  it('writes groups at once but raises heads and acks strictly in order', async () => {
    const { store, persister } = setup(3);
    await persister.persist([delivery(sequencedBatch(1, 2), store.log)]);
    await persister.persist([delivery(sequencedBatch(3, 3), store.log)]);
    await persister.persist([delivery(sequencedBatch(4, 6), store.log)]);
    await tick();
    expect(store.pending.map((p) => p.from)).toEqual([1, 3, 4]);

    // The later groups land first: nothing is committed until the first one is stored too.
    store.pending[2]?.release();
    store.pending[1]?.release();
    await tick();
    expect(store.log.filter((l) => !l.startsWith('stored'))).toEqual([]);
    store.pending[0]?.release();
    await persister.idle();
    expect(store.log.slice(2, 4)).toEqual(['stored 1', 'head 2']);
    expect(store.log.filter((l) => l.startsWith('head'))).toEqual(['head 2', 'head 3', 'head 6']);
    // An ack follows its own group's head (the index comes between).
    expect(store.log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1', 'ack 3', 'ack 4']);
    expect(store.log.indexOf('ack 3')).toBeGreaterThan(store.log.indexOf('head 3'));
  });

  it('waits for room when as many groups as allowed are in flight', async () => {
    const { store, persister } = setup(2);
    await persister.persist([delivery(sequencedBatch(1, 1), store.log)]);
    await persister.persist([delivery(sequencedBatch(2, 2), store.log)]);
    let third = false;
    const taking = persister.persist([delivery(sequencedBatch(3, 3), store.log)]).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    store.pending[0]?.release();
    await taking;
    expect(third).toBe(true);
    store.pending[1]?.release();
    await tick();
    store.pending[2]?.release();
    await persister.idle();
    expect(store.committed).toBe(3);
  });

  it('retries a failed write before any later group raises a head', async () => {
    const { store, persister, clock } = setup(3);
    await persister.persist([delivery(sequencedBatch(1, 1), store.log)]);
    await persister.persist([delivery(sequencedBatch(2, 2), store.log)]);
    await tick();
    store.pending[1]?.release();
    store.pending[0]?.fail();
    await tick();
    expect(store.pending).toHaveLength(2);
    await clock.advance(100); // the first backoff
    expect(store.log).toEqual(['stored 2']);
    expect(store.pending).toHaveLength(3);
    store.pending[2]?.release();
    await persister.idle();
    expect(store.log.filter((l) => !l.startsWith('ack'))).toEqual([
      'stored 2',
      'stored 1',
      'head 1',
      'head 2',
    ]);
    expect(store.log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1', 'ack 2']);
  });

  it('treats a batch stored by a group in flight as a redelivery, acknowledged after that group', async () => {
    const { store, persister } = setup(3);
    await persister.persist([delivery(sequencedBatch(1, 2), store.log)]);
    await persister.persist([
      delivery(sequencedBatch(1, 2), store.log),
      delivery(sequencedBatch(3, 3), store.log),
    ]);
    await tick();
    for (const p of store.pending) p.release();
    await persister.idle();
    expect(store.log.filter((l) => l.startsWith('head'))).toEqual(['head 2', 'head 3']);
    expect(store.log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1', 'ack 3', 'ack 1']);
  });

  it('reads batches held up elsewhere from the log instead of waiting for their redelivery', async () => {
    const asked: Array<[number, number]> = [];
    const { store, persister } = setup(1, {
      batchesAfter: (_repository, after, limit) => {
        asked.push([after, limit]);
        return Promise.resolve([sequencedBatch(1, 2), sequencedBatch(3, 3)]);
      },
      firstBatchAfter: () => Promise.resolve(sequencedBatch(1, 2)),
    });
    const done = persister.persist([delivery(sequencedBatch(3, 3), store.log)]);
    await tick();
    for (const p of store.pending) p.release();
    await done;
    await persister.idle();
    expect(asked).toEqual([[0, 64]]);
    expect(store.log).toEqual(['stored 1', 'head 3', 'ack 3']);
  });

  it('reports and skips sequences that neither the store nor the log holds (restored from an older backup)', async () => {
    const { store, persister } = setup(1, {
      batchesAfter: () => Promise.resolve([]),
      firstBatchAfter: (_repository, after) => Promise.resolve(after < 5 ? sequencedBatch(5, 6) : undefined),
    });
    store.committed = 2;
    const done = persister.persist([delivery(sequencedBatch(5, 6), store.log)]);
    await tick();
    for (const p of store.pending) p.release();
    await done;
    await persister.idle();
    expect(store.log).toEqual(['head 4', 'stored 5', 'head 6', 'ack 5']);
  });

  it('keeps waiting when the log still holds the missing batches', async () => {
    const { store, persister } = setup(1, {
      batchesAfter: () => Promise.resolve([]),
      firstBatchAfter: () => Promise.resolve(sequencedBatch(3, 4)),
    });
    store.committed = 2;
    const done = persister.persist([delivery(sequencedBatch(5, 6), store.log)]);
    await tick();
    for (const p of store.pending) p.release();
    await done;
    expect(store.log.filter((l) => !l.startsWith('stored'))).toEqual(['retry 5']);
  });
});

describe('LogPersister index after the announcement', () => {
  it('announces a group once its heads are raised, and acknowledges it only once it is indexed', async () => {
    const suite = setup(1);
    const { store, persister, published } = suite;
    store.holdIndex = true;
    await commitGroup(suite, 1, 2);
    await tick();
    expect(published).toHaveLength(1);
    expect(store.log).toEqual(['stored 1', 'head 2']);
    store.indexes.shift()?.release();
    await persister.idle();
    expect(store.log).toEqual(['stored 1', 'head 2', 'indexed 1', 'ack 1']);
  });

  it('writes the next group while the one before is indexed, and indexes them in order', async () => {
    const suite = setup(1);
    const { store, persister } = suite;
    store.holdIndex = true;
    await commitGroup(suite, 1, 2);
    await tick(); // the first group's index starts
    await commitGroup(suite, 3, 3);
    await tick();
    expect(store.log).toEqual(['stored 1', 'head 2', 'stored 3', 'head 3']);
    // The second group's index waits for the first one's.
    expect(store.indexes.map((i) => i.from)).toEqual([1]);
    store.indexes.shift()?.release();
    await tick();
    await tick(); // the second group's index waits a turn for a group to join it
    store.indexes.shift()?.release();
    await persister.idle();
    expect(store.log.slice(4)).toEqual(['indexed 1', 'ack 1', 'indexed 3', 'ack 3']);
  });

  it('takes no further group while eight groups wait for their index', async () => {
    const suite = setup(1);
    const { store, persister } = suite;
    store.holdIndex = true;
    for (let from = 1; from <= 8; from++) {
      await commitGroup(suite, from, from);
    }
    let ninth = false;
    const taking = persister.persist([delivery(sequencedBatch(9, 9), store.log)]).then(() => (ninth = true));
    await tick();
    expect(store.pending).toHaveLength(0);
    store.indexes.shift()?.release();
    await tick();
    store.pending.shift()?.release();
    await taking;
    expect(ninth).toBe(true);
    for (let i = 0; i < 8; i++) {
      store.indexes.shift()?.release();
      await tick();
    }
    await persister.idle();
    expect(store.log.filter((l) => l.startsWith('ack'))).toHaveLength(9);
  });

  it('tells the store with each head raise how far the index is complete', async () => {
    const suite = setup(1);
    const { store, persister } = suite;
    store.committed = 4; // stored and indexed before: where the persister resumes
    store.holdIndex = true;
    await commitGroup(suite, 5, 6);
    await tick(); // the first group's index starts
    await commitGroup(suite, 7, 7);
    store.indexes.shift()?.release();
    await tick();
    await commitGroup(suite, 8, 8);
    for (const index of store.indexes.splice(0)) index.release();
    await tick();
    for (const index of store.indexes.splice(0)) index.release();
    await persister.idle();
    expect(store.indexedThrough).toEqual([4, 4, 6]);
  });
});

describe('LogPersister index of several groups at once', () => {
  it('indexes the groups announced while a later one was written with one write, then acks each', async () => {
    const suite = setup(1);
    const { store, persister } = suite;
    store.holdIndex = true;
    await commitGroup(suite, 1, 2);
    await commitGroup(suite, 3, 3);
    await tick();
    expect(store.indexes.map((i) => [i.from, i.batches])).toEqual([[1, 2]]);
    store.indexes.shift()?.release();
    await persister.idle();
    expect(store.log).toEqual(['stored 1', 'head 2', 'stored 3', 'head 3', 'indexed 1', 'ack 1', 'ack 3']);
    expect(store.indexes).toHaveLength(0);
  });
});

describe('LogPersister index when no other group is written', () => {
  it('waits for a quiet moment first, and takes a group that came meanwhile along', async () => {
    const suite = setup(1, undefined, 5);
    const { store, persister, clock } = suite;
    store.holdIndex = true;
    await commitGroup(suite, 1, 2);
    await tick();
    await clock.advance(4);
    expect(store.indexes).toHaveLength(0);
    await commitGroup(suite, 3, 3);
    await clock.advance(1);
    await tick();
    expect(store.indexes.map((i) => [i.from, i.batches])).toEqual([[1, 2]]);
    store.indexes.shift()?.release();
    await persister.idle();
    expect(store.log.slice(-3)).toEqual(['indexed 1', 'ack 1', 'ack 3']);
  });

  it('waits up to the quiet time for more groups, and no longer once four came', async () => {
    const suite = setup(1, undefined, 100);
    const { store, persister, clock } = suite;
    store.holdIndex = true;
    for (const from of [1, 2, 3]) {
      await commitGroup(suite, from, from);
      await tick();
      await clock.advance(10);
    }
    expect(store.indexes).toHaveLength(0);
    await commitGroup(suite, 4, 4);
    await tick();
    expect(store.indexes.map((i) => [i.from, i.batches])).toEqual([[1, 4]]);
    store.indexes.shift()?.release();
    await commitGroup(suite, 5, 5);
    await tick();
    await clock.advance(99);
    expect(store.indexes).toHaveLength(0);
    await clock.advance(1);
    await tick();
    expect(store.indexes.map((i) => [i.from, i.batches])).toEqual([[5, 1]]);
    store.indexes.shift()?.release();
    await persister.idle();
    expect(store.log.filter((l) => l.startsWith('ack'))).toEqual([
      'ack 1',
      'ack 2',
      'ack 3',
      'ack 4',
      'ack 5',
    ]);
  });
});

describe('LogPersister index progress no head raise carried', () => {
  it('is written on its own within a second, once', async () => {
    const suite = setup(1);
    const { store, persister, clock } = suite;
    await commitGroup(suite, 1, 2);
    await persister.idle();
    expect(store.indexedThrough).toEqual([0]);
    await clock.advance(999);
    expect(store.indexedThrough).toEqual([0]);
    await clock.advance(1);
    expect(store.indexedThrough).toEqual([0, 2]);
    expect(store.log.filter((l) => l.startsWith('head'))).toEqual(['head 2', 'head 2']);
    await clock.advance(5_000);
    expect(store.indexedThrough).toEqual([0, 2]);
  });

  it('is written when the persister stops, after the last index', async () => {
    const suite = setup(1);
    const { store, persister } = suite;
    store.holdIndex = true;
    await commitGroup(suite, 1, 2);
    persister.stop();
    const stopped = persister.idle();
    await tick();
    expect(store.indexedThrough).toEqual([0]);
    store.indexes.shift()?.release();
    await stopped;
    expect(store.indexedThrough).toEqual([0, 2]);
    expect(store.log.slice(-2)).toEqual(['ack 1', 'head 2']);
  });
});

describe('LogPersister stage metrics', () => {
  it('times the head update of each group that raises a head, apart from the whole write', async () => {
    const { store, persister, metrics } = setup(1);
    const observations = async () => ({
      write: (await metrics.writeLatency.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value,
      heads: (await metrics.headsLatency.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value,
    });
    const first = persister.persist([delivery(sequencedBatch(1, 2), store.log)]);
    await tick();
    store.pending.shift()?.release();
    await first;
    expect(await observations()).toEqual({ write: 1, heads: 1 });

    // A redelivery stores nothing and raises no head.
    const again = persister.persist([delivery(sequencedBatch(1, 2), store.log)]);
    await tick();
    store.pending.shift()?.release();
    await again;
    await persister.idle();
    expect(store.log.filter((line) => !line.startsWith('stored'))).toEqual(['head 2', 'ack 1', 'ack 1']);
    expect(await observations()).toEqual({ write: 1, heads: 1 });
  });
});

/** A store whose reads count the batches stored past the raised head: its head writes wait for the test. */
class LaterHeadsStore extends ControlledStore {
  readonly headFollowsBatches = true;
  readonly heldHeads: Array<{ head: number; release(): void }> = [];
  override advanceHeads(
    heads: ReadonlyMap<string, number>,
    indexedThrough?: ReadonlyMap<string, number>,
  ): Promise<void> {
    const head = heads.get('r') ?? 0;
    return new Promise((resolve) => {
      this.heldHeads.push({
        head,
        release: () => void super.advanceHeads(heads, indexedThrough).then(resolve),
      });
    });
  }
}

describe('LogPersister on a store whose head follows its batches', () => {
  function setupLaterHeads() {
    const store = new LaterHeadsStore();
    const published: Uint8Array[] = [];
    const persister = new LogPersister({
      store,
      clock: new FakeClock(),
      publisher: { publish: (_repository, data) => published.push(data) },
      logger: pino({ level: 'silent' }),
      metrics: createPersisterMetrics(),
      indexQuietMs: 0,
    });
    return { store, persister, published };
  }

  it('announces a group once it is stored, raises its head after its index, and one head write at a time', async () => {
    const { store, persister, published } = setupLaterHeads();
    store.committed = 2;
    store.holdIndex = true;
    const commitAndIndex = async (from: number, to: number) => {
      await commitGroup({ store, persister }, from, to);
      await tick();
      store.indexes.shift()?.release();
      await tick();
    };
    await commitGroup({ store, persister }, 3, 4);
    await tick();
    expect(published).toHaveLength(1);
    expect(store.heldHeads).toEqual([]);
    store.indexes.shift()?.release();
    await tick();
    expect(store.heldHeads.map((h) => h.head)).toEqual([4]);

    // The next groups are announced and indexed while that head write is held: their heads wait, merged.
    await commitAndIndex(5, 5);
    await commitAndIndex(6, 8);
    expect(published).toHaveLength(3);
    expect(store.heldHeads.map((h) => h.head)).toEqual([4]);

    let idle = false;
    const idled = persister.idle().then(() => (idle = true));
    store.heldHeads.shift()?.release();
    await tick();
    expect(store.heldHeads.map((h) => h.head)).toEqual([8]);
    expect(idle).toBe(false);
    store.heldHeads.shift()?.release();
    await idled;
    expect(store.log.filter((l) => l.startsWith('head'))).toEqual(['head 4', 'head 8']);
    // Each head write records the index as far as the head: nothing is left for a write of its own.
    expect(store.indexedThrough).toEqual([4, 8]);
    expect(store.committed).toBe(8);
    expect(store.log.filter((l) => l.startsWith('ack'))).toEqual(['ack 3', 'ack 5', 'ack 6']);
  });

  it("raises a new repository's first head before announcing it, so it is listed once acked", async () => {
    const { store, persister, published } = setupLaterHeads();
    const taken = persister.persist([delivery(sequencedBatch(1, 2), store.log)]);
    await tick();
    store.pending.shift()?.release();
    await tick();
    expect(store.heldHeads.map((h) => h.head)).toEqual([2]);
    expect(published).toHaveLength(0);
    store.heldHeads.shift()?.release();
    await taken;
    expect(published).toHaveLength(1);
    await tick();
    // Then, once indexed, as any other group: the head again, now with the index.
    expect(store.heldHeads.map((h) => h.head)).toEqual([2]);
    store.heldHeads.shift()?.release();
    await persister.idle();
    expect(store.indexedThrough).toEqual([0, 2]);
    expect(store.log.filter((l) => l.startsWith('ack'))).toEqual(['ack 1']);
  });
});
