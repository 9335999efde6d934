import type { SequencedBatch } from '@lfsync/contracts';
import type { EventReader, StoredEvent } from '@lfsync/ports';
import { describe, expect, it } from 'vitest';
import { eventsFrame, eventsJsonOf } from './frames.ts';
import { RepositoryFeed } from './repository-feed.ts';

function event(sequence: number) {
  return {
    _event_id: `e${sequence}`,
    _operation: 0 as const,
    _created_at: 0,
    _data: {},
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

/** A store holding events 1..head; only what the feed reads matters here. */
class FakeStore implements Pick<EventReader, 'scanAfter'> {
  head = 0;
  scans = 0;

  async *scanAfter(_repository: string, after: number, pageSize: number): AsyncGenerator<StoredEvent[]> {
    this.scans += 1;
    await Promise.resolve(); // a store answers asynchronously
    let page: StoredEvent[] = [];
    for (let s = after + 1; s <= this.head; s++) {
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
  const output = {
    send: (frame: string) => {
      sent.push(
        (JSON.parse(frame) as { events: Array<{ serverSequence: number }> }).events.map(
          (e) => e.serverSequence,
        ),
      );
      return true;
    },
    writable: () => Promise.resolve(true),
  };
  return { feed: new RepositoryFeed('r', store, output, pageSize), sent };
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
    store.head = 3;
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
    store.head = 6;
    await f.live(batch(5, 6), frameOf(batch(5, 6)));
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('pages a catch-up to the head and never past it', async () => {
    const store = new FakeStore();
    store.head = 5;
    const { feed: f, sent } = feed(store, 2);
    expect(await f.catchUp(1, undefined)).toBe(5);
    expect(sent).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it('makes live batches wait for a running catch-up, then sends each event once', async () => {
    const store = new FakeStore();
    store.head = 4;
    const { feed: f, sent } = feed(store, 1);
    const catchingUp = f.catchUp(0, undefined);
    const live = f.live(batch(4, 5), frameOf(batch(4, 5)));
    await Promise.all([catchingUp, live]);
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5]);
  });
});
