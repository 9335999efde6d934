import { AppError } from '@lfsync/contracts';
import type { EventIndex, StoredSequences } from '@lfsync/ports';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { StoreBackedEventIndex } from './store-backed-event-index.ts';

const WINDOW_MS = 60_000;

function setup(recent: Record<string, number>, stored: Record<string, number>) {
  const clock = new FakeClock();
  const asked: string[][] = [];
  let persistedBefore = clock.now();
  const index: EventIndex = {
    getMany: (_repository, ids) =>
      Promise.resolve(
        new Map(ids.flatMap((id) => (recent[id] === undefined ? [] : [[id, recent[id]] as const]))),
      ),
    putMany: () => Promise.resolve(),
  };
  const store: StoredSequences = {
    head: () => Promise.resolve(0),
    sequencesOf: (_repository, ids) => {
      asked.push([...ids]);
      return Promise.resolve(
        new Map(ids.flatMap((id) => (stored[id] === undefined ? [] : [[id, stored[id]] as const]))),
      );
    },
  };
  let lagging = 0;
  const bounded = new StoreBackedEventIndex({
    recent: index,
    store,
    windowMs: WINDOW_MS,
    persistedBefore: () => Promise.resolve(persistedBefore),
    onLagging: () => (lagging += 1),
    clock,
  });
  return {
    bounded,
    asked,
    clock,
    lagging: () => lagging,
    persistedUpTo: (ms: number) => (persistedBefore = ms),
  };
}

describe('StoreBackedEventIndex', () => {
  it('answers from the index, and asks the store only for the ids the index has forgotten', async () => {
    const { bounded, asked } = setup({ e1: 1 }, { e2: 2 });
    expect(await bounded.getMany('r', ['e1', 'e2', 'e3'])).toEqual(
      new Map([
        ['e1', 1],
        ['e2', 2],
      ]),
    );
    expect(asked).toEqual([['e2', 'e3']]);
    await bounded.getMany('r', ['e1']);
    expect(asked).toHaveLength(1);
  });

  it('refuses (retryable) a look-up that misses the index while the persister lags near the window', async () => {
    const { bounded, clock, lagging, persistedUpTo } = setup({}, {});
    const stalledAt = clock.now();
    persistedUpTo(stalledAt);
    await clock.advance(WINDOW_MS / 2);
    expect(await bounded.getMany('r', ['e1'])).toEqual(new Map());
    await clock.advance(WINDOW_MS / 4 + 1);
    const refused = await bounded.getMany('r', ['e1']).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE' });
    expect(lagging()).toBe(1);
    persistedUpTo(clock.now());
    expect(await bounded.getMany('r', ['e1'])).toEqual(new Map());
  });
});
