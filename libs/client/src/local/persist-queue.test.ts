import { describe, expect, it } from 'vitest';
import type { StorageChanges, StoredState, SyncStorage } from '../storage/sync-storage.ts';
import { EMPTY_STATE } from '../storage/sync-storage.ts';
import { PersistQueue } from './persist-queue.ts';

/** A storage whose writes complete only when the test says so, and can fail. */
class ControlledStorage implements SyncStorage {
  readonly writes: StorageChanges[] = [];
  failNext = false;
  #release: (() => void)[] = [];

  load(): Promise<StoredState> {
    return Promise.resolve(EMPTY_STATE);
  }

  apply(changes: StorageChanges): Promise<void> {
    this.writes.push(changes);
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    return new Promise((resolve) => this.#release.push(resolve));
  }

  releaseAll(): void {
    for (const release of this.#release.splice(0)) release();
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('PersistQueue', () => {
  it('writes one change at a time and coalesces what arrives meanwhile into the next write', async () => {
    const storage = new ControlledStorage();
    const queue = new PersistQueue(storage, () => undefined);
    queue.changes.setCursor('r', 1);
    const first = queue.commit();
    queue.changes.setCursor('r', 2);
    const second = queue.commit();
    queue.changes.setCursor('r', 3);
    const third = queue.commit();
    await tick();
    expect(storage.writes.map((w) => w.cursors)).toEqual([{ r: 1 }]);
    storage.releaseAll();
    await first;
    await tick();
    expect(storage.writes.map((w) => w.cursors)).toEqual([{ r: 1 }, { r: 3 }]);
    storage.releaseAll();
    await Promise.all([second, third]);
  });

  it('a failed write is reported, rejects, and its changes go out with the next commit', async () => {
    const storage = new ControlledStorage();
    const failures: unknown[] = [];
    const queue = new PersistQueue(storage, (err) => failures.push(err));
    storage.failNext = true;
    queue.changes.setCursor('a', 1);
    queue.changes.deletePending('e1');
    await expect(queue.commit()).rejects.toThrow('disk full');
    expect(failures).toHaveLength(1);
    queue.changes.setCursor('b', 7);
    const retried = queue.commit();
    await tick();
    expect(storage.writes[1]).toEqual({
      records: [],
      cursors: { b: 7, a: 1 },
      putPending: [],
      deletePending: ['e1'],
    });
    storage.releaseAll();
    await retried;
  });

  it('a commit with nothing to write resolves at once', async () => {
    const storage = new ControlledStorage();
    await new PersistQueue(storage, () => undefined).commit();
    expect(storage.writes).toEqual([]);
  });
});
