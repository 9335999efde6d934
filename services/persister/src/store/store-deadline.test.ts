import { AppError } from '@lfsync/contracts';
import type { EventWriter } from '@lfsync/ports';
import { FakeClock } from '@lfsync/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { StoreDeadline } from './store-deadline.ts';

function deadline(clock: FakeClock, timedOut: string[]): StoreDeadline {
  return new StoreDeadline({
    timeoutMs: 1_000,
    clock,
    logger: pino({ level: 'silent' }),
    onTimeout: (operation) => timedOut.push(operation),
  });
}

const never = <T>() => new Promise<T>(() => undefined);

/** A store none of whose calls ever answers. */
const silentStore = (): EventWriter => ({
  insert: never,
  insertBodies: never,
  index: never,
  advanceHeads: never,
  head: never,
  resumeAt: never,
});

describe('StoreDeadline', () => {
  it('fails a call that does not answer in time with UNAVAILABLE, and counts it', async () => {
    const clock = new FakeClock();
    const timedOut: string[] = [];
    const insert = deadline(clock, timedOut).writer(silentStore()).insert([]);
    const outcome = insert.catch((err: unknown) => err);
    await clock.advance(999);
    expect(timedOut).toEqual([]);
    await clock.advance(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('UNAVAILABLE');
    expect(timedOut).toEqual(['insert']);
  });

  it('passes answers and failures through and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const timedOut: string[] = [];
    const store: EventWriter = {
      insert: () => Promise.resolve({ displacedEventIds: ['x'] }),
      insertBodies: () => Promise.resolve({ displacedEventIds: [] }),
      index: () => Promise.resolve({ displacedEventIds: ['y'] }),
      advanceHeads: () => Promise.reject(new Error('connection reset')),
      head: () => Promise.resolve(7),
      resumeAt: () => Promise.resolve(8),
    };
    const writer = deadline(clock, timedOut).writer(store);
    await expect(writer.insert([])).resolves.toEqual({ displacedEventIds: ['x'] });
    await expect(writer.advanceHeads(new Map())).rejects.toThrow('connection reset');
    await expect(writer.head('r')).resolves.toBe(7);
    await expect(writer.index([])).resolves.toEqual({ displacedEventIds: ['y'] });
    await expect(writer.resumeAt('r')).resolves.toBe(8);
    expect(clock.pendingDelaysMs).toEqual([]);
    expect(timedOut).toEqual([]);
  });

  it('keeps whether the store counts the batches stored past the raised head', () => {
    const writer = deadline(new FakeClock(), []);
    expect(writer.writer(silentStore()).headFollowsBatches).toBeUndefined();
    expect(writer.writer({ ...silentStore(), headFollowsBatches: true }).headFollowsBatches).toBe(true);
  });
});
