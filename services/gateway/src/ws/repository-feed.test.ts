import { eventsJsonOf, type SequencedBatch } from '@lfsync/contracts';
import type { EntityEvent, EventReader, StoredEvent } from '@lfsync/ports';
import { describe, expect, it } from 'vitest';
import { eventsFrame } from './frames.ts';
import { RepositoryFeed } from './repository-feed.ts';

/** Event n is about entity `d<n mod 2>`. */
const ENTITIES = 2;

function event(sequence: number) {
  return {
    _event_id: `e${sequence}`,
    _operation: 0 as const,
    _created_at: 0,
    _data: {},
    _data_id: `d${sequence % ENTITIES}`,
    serverSequence: sequence,
  };
}
function batch(from: number, to: number): SequencedBatch {
  return {
    repository: 'r',
    fromSequence: from,
    toSequence: to,
    events: Array.from({ length: to - from + 1 }, (_, i) => event(from + i)),
  };
}

const frameOf = (b: SequencedBatch) => eventsFrame(b.repository, eventsJsonOf(b));

/** A store holding events 1..committed; only what the feed reads matters here. */
class FakeStore implements Pick<EventReader, 'scanAfter' | 'head' | 'scanLatestByDataId'> {
  committed = 0;
  scans = 0;
  /** Runs while a snapshot is being read (a commit racing it). */
  duringSnapshot: (() => void) | undefined;

  head(): Promise<number> {
    return Promise.resolve(this.committed);
  }

  async *scanLatestByDataId(_repository: string, at: number): AsyncGenerator<EntityEvent[]> {
    await Promise.resolve();
    this.duringSnapshot?.();
    const latest = [at - 1, at].filter((s) => s >= 1).sort((a, b) => (a % ENTITIES) - (b % ENTITIES));
    yield latest.map((s) => ({ dataId: `d${s % ENTITIES}`, sequence: s, json: JSON.stringify(event(s)) }));
  }

  async *scanAfter(_repository: string, after: number, pageSize: number): AsyncGenerator<StoredEvent[]> {
    this.scans += 1;
    await Promise.resolve(); // a store answers asynchronously
    let page: StoredEvent[] = [];
    for (let s = after + 1; s <= this.committed; s++) {
      page.push({ sequence: s, json: JSON.stringify(event(s)) });
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
}

function feed(store: FakeStore, pageSize = 2) {
  const sent: number[][] = [];
  const types: string[] = [];
  const output = {
    send: (frame: string) => {
      const message = JSON.parse(frame) as { type: string; events?: Array<{ serverSequence: number }> };
      types.push(message.type);
      if (message.events !== undefined) sent.push(message.events.map((e) => e.serverSequence));
      return true;
    },
    writable: () => Promise.resolve(true),
  };
  return { feed: new RepositoryFeed('r', store, output, pageSize), sent, types };
}

describe('RepositoryFeed', () => {
  it('passes consecutive live batches through as they are', async () => {
    const { feed: f, sent } = feed(new FakeStore());
    await f.live(batch(1, 2), frameOf(batch(1, 2)));
    await f.live(batch(3, 3), frameOf(batch(3, 3)));
    expect(sent).toEqual([[1, 2], [3]]);
  });

  it('drops what was sent already and trims overlaps', async () => {
    const store = new FakeStore();
    store.committed = 3;
    const { feed: f, sent } = feed(store, 10);
    await f.catchUp(0, undefined);
    await f.live(batch(2, 3), frameOf(batch(2, 3)));
    await f.live(batch(3, 5), frameOf(batch(3, 5)));
    expect(sent).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('fills a gap from the store before sending what follows it', async () => {
    const store = new FakeStore();
    const { feed: f, sent } = feed(store, 2);
    await f.live(batch(1, 1), frameOf(batch(1, 1)));
    store.committed = 6;
    await f.live(batch(5, 6), frameOf(batch(5, 6)));
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('pages a catch-up to the head and never past it', async () => {
    const store = new FakeStore();
    store.committed = 5;
    const { feed: f, sent } = feed(store, 2);
    expect(await f.catchUp(1, undefined)).toBe(5);
    expect(sent).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it('makes live batches wait for a running catch-up, then sends each event once', async () => {
    const store = new FakeStore();
    store.committed = 4;
    const { feed: f, sent } = feed(store, 1);
    const catchingUp = f.catchUp(0, undefined);
    const live = f.live(batch(4, 5), frameOf(batch(4, 5)));
    await Promise.all([catchingUp, live]);
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends the snapshot at the head, then the events after it; live batches wait and come once', async () => {
    const store = new FakeStore();
    store.committed = 6;
    const { feed: f, sent, types } = feed(store, 10);
    let live: Promise<void> | undefined;
    store.duringSnapshot = () => {
      store.committed = 8;
      live = f.live(batch(7, 8), frameOf(batch(7, 8)));
    };
    expect(await f.snapshot(undefined, undefined)).toBe(8);
    await live;
    expect(types).toEqual(['snapshot', 'snapshot_complete', 'events']);
    expect(sent).toEqual([
      [6, 5],
      [7, 8],
    ]);
  });

  it('declines a snapshot with more entities than the log holds per minRatio: the log from 1 instead', async () => {
    const store = new FakeStore();
    store.committed = 3;
    const { feed: f, sent, types } = feed(store, 10);
    expect(await f.snapshot(undefined, 2)).toBe(3);
    expect(types).toEqual(['events']);
    expect(sent).toEqual([[1, 2, 3]]);
  });
});
