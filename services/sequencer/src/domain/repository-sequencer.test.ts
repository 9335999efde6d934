import type { SequencedBatch } from '@lfsync/contracts';
import type { AppendResult, EventIndex, LogHead, SequenceLog } from '@lfsync/ports';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { RepositorySequencer, assign } from './repository-sequencer.ts';

/** An in-memory log shared by several sequencers; `version` is the number of appends. */
class FakeLog implements SequenceLog {
  batches: SequencedBatch[] = [];
  appendIds = new Map<string, number>();
  head(): Promise<{ head: LogHead; lastBatch: SequencedBatch | undefined }> {
    const last = this.batches.at(-1);
    return Promise.resolve({
      head: { sequence: last?.toSequence ?? 0, version: this.batches.length },
      lastBatch: last,
    });
  }
  append(batch: SequencedBatch, expectedVersion: number, appendId: string): Promise<AppendResult> {
    return Promise.resolve(this.#append(batch, expectedVersion, appendId));
  }
  #append(batch: SequencedBatch, expectedVersion: number, appendId: string): AppendResult {
    const seen = this.appendIds.get(appendId);
    if (seen !== undefined)
      return { kind: 'duplicate', version: seen, batch: this.batches[seen - 1] as SequencedBatch };
    if (expectedVersion !== this.batches.length) return { kind: 'conflict' };
    this.batches.push(batch);
    this.appendIds.set(appendId, this.batches.length);
    return { kind: 'appended', version: this.batches.length };
  }
}

class FakeIndex implements EventIndex {
  entries = new Map<string, number>();
  getMany(repository: string, ids: readonly string[]): Promise<Map<string, number>> {
    const found = ids.flatMap((id) => {
      const s = this.entries.get(`${repository}/${id}`);
      return s === undefined ? [] : [[id, s] as const];
    });
    return Promise.resolve(new Map(found));
  }
  putMany(repository: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    for (const [id, s] of entries) this.entries.set(`${repository}/${id}`, s);
    return Promise.resolve();
  }
}

/** The same log, but each append waits until `release()` is called. */
function gated(log: FakeLog): { slowLog: FakeLog; release: () => void } {
  let open: () => void = () => {};
  const slowLog = Object.assign(Object.create(log) as FakeLog, {
    append: async (...args: Parameters<FakeLog['append']>) => {
      await new Promise<void>((resolve) => (open = resolve));
      return log.append(...args);
    },
  });
  return { slowLog, release: () => open() };
}

const ev = (id: string) => ({ _event_id: id, _operation: 0, _created_at: 0, _data: {} });

describe('assign', () => {
  it('numbers new events after the head and answers repeats with their first sequence', () => {
    const { results, fresh } = assign([ev('a'), ev('b'), ev('a'), ev('k')], new Map([['k', 2]]), 5);
    expect(results).toEqual([
      { eventId: 'a', sequence: 6, duplicate: false },
      { eventId: 'b', sequence: 7, duplicate: false },
      { eventId: 'a', sequence: 6, duplicate: true },
      { eventId: 'k', sequence: 2, duplicate: true },
    ]);
    expect(fresh.map((e) => e.serverSequence)).toEqual([6, 7]);
  });
});

describe('RepositorySequencer', () => {
  const make = (
    log: FakeLog,
    index: FakeIndex,
    limits: { maxQueuedEvents?: number; requestDeadlineMs?: number; clock?: FakeClock } = {},
  ) => new RepositorySequencer({ repository: 'r', log, index, maxAppendBytes: 1_000_000, ...limits });

  it('two sequencers on one log stay gapless: a stale one re-reads the head on conflict', async () => {
    const log = new FakeLog();
    const index = new FakeIndex();
    const a = make(log, index);
    const b = make(log, index);
    expect(await a.sequence([ev('a1')], 10)).toEqual([{ eventId: 'a1', sequence: 1, duplicate: false }]);
    expect(await b.sequence([ev('b1')], 10)).toEqual([{ eventId: 'b1', sequence: 2, duplicate: false }]);
    expect(await a.sequence([ev('a2'), ev('b1')], 10)).toEqual([
      { eventId: 'a2', sequence: 3, duplicate: false },
      { eventId: 'b1', sequence: 2, duplicate: true },
    ]);
    expect(log.batches.flatMap((b) => b.events.map((e) => e.serverSequence))).toEqual([1, 2, 3]);
  });

  it('indexes the last batch when loading the head, so an append whose indexing was lost is still deduplicated', async () => {
    const log = new FakeLog();
    await log.append(
      {
        repository: 'r',
        fromSequence: 1,
        toSequence: 1,
        events: [{ ...ev('lost'), _operation: 0, serverSequence: 1 }],
      },
      0,
      'x',
    );
    const index = new FakeIndex();
    expect(await make(log, index).sequence([ev('lost')], 10)).toEqual([
      { eventId: 'lost', sequence: 1, duplicate: true },
    ]);
    expect(log.batches).toHaveLength(1);
  });

  it('groups requests that arrive during an append into the next one', async () => {
    const log = new FakeLog();
    const sequencer = make(log, new FakeIndex());
    const results = await Promise.all([1, 2, 3, 4].map((i) => sequencer.sequence([ev(`g${i}`)], 10)));
    expect(results.flat().map((r) => r.sequence)).toEqual([1, 2, 3, 4]);
    expect(log.batches.length).toBeLessThan(4);
  });

  it('turns requests away while too many events wait, and recovers once the queue drains', async () => {
    const log = new FakeLog();
    const { slowLog, release } = gated(log);
    const sequencer = make(slowLog, new FakeIndex(), { maxQueuedEvents: 3 });
    const first = sequencer.sequence([ev('a')], 10); // in flight: no longer queued
    await new Promise((resolve) => setTimeout(resolve, 0));
    const queued = sequencer.sequence([ev('b'), ev('c')], 10);
    await expect(sequencer.sequence([ev('d'), ev('e')], 10)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    release();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    expect((await queued).map((r) => r.sequence)).toEqual([2, 3]);
    const later = sequencer.sequence([ev('d')], 10);
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    expect((await later).map((r) => r.sequence)).toEqual([4]);
  });

  it('answers requests that waited past the deadline with "retry" instead of sequencing them, and sequences the others', async () => {
    const log = new FakeLog();
    const { slowLog, release } = gated(log);
    const clock = new FakeClock();
    const sequencer = make(slowLog, new FakeIndex(), { requestDeadlineMs: 20, clock });
    const first = sequencer.sequence([ev('a')], 10);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const stale = sequencer.sequence([ev('b')], 10);
    await clock.advance(21);
    const late = sequencer.sequence([ev('d')], 10);
    await clock.advance(19);
    release();
    await first;
    await expect(stale).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    expect((await late).map((r) => r.sequence)).toEqual([2]);
    expect(log.batches.flatMap((b) => b.events.map((e) => e._event_id))).toEqual(['a', 'd']);
  });

  it('answers once the batch is in the log; the next append waits for its index writes, and a repeat meanwhile is known', async () => {
    const log = new FakeLog();
    const index = new FakeIndex();
    let releasePut: () => void = () => {};
    const slowIndex = Object.assign(Object.create(index) as FakeIndex, {
      putMany: async (...args: Parameters<FakeIndex['putMany']>) => {
        await new Promise<void>((resolve) => (releasePut = resolve));
        return index.putMany(...args);
      },
    });
    const sequencer = make(log, slowIndex);
    expect(await sequencer.sequence([ev('a')], 10)).toEqual([
      { eventId: 'a', sequence: 1, duplicate: false },
    ]);
    expect(index.entries.size).toBe(0);
    const next = sequencer.sequence([ev('a'), ev('b')], 10);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log.batches).toHaveLength(1);
    releasePut();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await next).toEqual([
      { eventId: 'a', sequence: 1, duplicate: true },
      { eventId: 'b', sequence: 2, duplicate: false },
    ]);
    expect(log.batches.flatMap((b) => b.events.map((e) => e._event_id))).toEqual(['a', 'b']);
  });

  it('after failed index writes, the next append reloads the head, which indexes the last batch again', async () => {
    const log = new FakeLog();
    const index = new FakeIndex();
    let failNext = true;
    const flakyIndex = Object.assign(Object.create(index) as FakeIndex, {
      putMany: (...args: Parameters<FakeIndex['putMany']>) => {
        if (!failNext) return index.putMany(...args);
        failNext = false;
        return Promise.reject(new Error('KV unavailable'));
      },
    });
    const sequencer = make(log, flakyIndex);
    await sequencer.sequence([ev('a')], 10);
    expect((await sequencer.sequence([ev('b')], 10)).map((r) => r.sequence)).toEqual([2]);
    expect(index.entries.get('r/a')).toBe(1);
    expect(log.batches).toHaveLength(2);
  });
});
