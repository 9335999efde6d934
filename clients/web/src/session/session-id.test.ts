import { describe, expect, it } from 'vitest';
import { acquireSessionId, type KeyValueStorage, type LockManagerLike } from './session-id.ts';

class FakeStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

/** Exclusive locks with `ifAvailable`, like the Web Locks API; waiters are served in order. */
class FakeLocks implements LockManagerLike {
  readonly #held = new Set<string>();
  readonly #waiting = new Map<string, Array<() => void>>();

  request<T>(
    name: string,
    optionsOrCallback: { readonly ifAvailable: boolean } | ((lock: unknown) => Promise<T> | T),
    maybeCallback?: (lock: unknown) => Promise<T> | T,
  ): Promise<T> {
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    const ifAvailable = typeof optionsOrCallback === 'function' ? false : optionsOrCallback.ifAvailable;
    if (callback === undefined) throw new TypeError('no callback');
    if (this.#held.has(name)) {
      if (ifAvailable) return Promise.resolve(callback(null));
      return new Promise<void>((wake) => {
        const queue = this.#waiting.get(name) ?? [];
        queue.push(wake);
        this.#waiting.set(name, queue);
      }).then(() => this.#run(name, callback));
    }
    this.#held.add(name);
    return this.#run(name, callback);
  }

  async #run<T>(name: string, callback: (lock: unknown) => Promise<T> | T): Promise<T> {
    try {
      return await callback({ name });
    } finally {
      const next = this.#waiting.get(name)?.shift();
      if (next === undefined) this.#held.delete(name);
      else next();
    }
  }
}

/** Lets a released lock go (the Web Locks API releases asynchronously too). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function ids(...values: string[]): () => string {
  return () => {
    const id = values.shift();
    if (id === undefined) throw new Error('out of ids');
    return id;
  };
}

describe('acquireSessionId', () => {
  it('gives two open tabs different ids and reuses a released one', async () => {
    const storage = new FakeStorage();
    const locks = new FakeLocks();
    const newId = ids('s1', 's2', 's3');
    const tab1 = await acquireSessionId({
      username: 'alice',
      storage,
      tabStorage: new FakeStorage(),
      locks,
      newId,
    });
    const tab2 = await acquireSessionId({
      username: 'alice',
      storage,
      tabStorage: new FakeStorage(),
      locks,
      newId,
    });
    expect([tab1.sessionId, tab2.sessionId]).toEqual(['s1', 's2']);
    tab1.release();
    await settle();
    const tab3 = await acquireSessionId({
      username: 'alice',
      storage,
      tabStorage: new FakeStorage(),
      locks,
      newId,
    });
    expect(tab3.sessionId).toBe('s1');
  });

  it('gives a reloaded tab its previous id back when it is free', async () => {
    const storage = new FakeStorage();
    const locks = new FakeLocks();
    const newId = ids('s1', 's2', 's3');
    const tabStorage = new FakeStorage();
    const first = await acquireSessionId({
      username: 'alice',
      storage,
      tabStorage: new FakeStorage(),
      locks,
      newId,
    });
    const second = await acquireSessionId({ username: 'alice', storage, tabStorage, locks, newId });
    first.release();
    second.release();
    await settle();
    const reloaded = await acquireSessionId({ username: 'alice', storage, tabStorage, locks, newId });
    expect(reloaded.sessionId).toBe(second.sessionId);
  });

  it('keeps separate pools per user', async () => {
    const storage = new FakeStorage();
    const locks = new FakeLocks();
    const newId = ids('a1', 'b1');
    const alice = await acquireSessionId({
      username: 'alice',
      storage,
      tabStorage: new FakeStorage(),
      locks,
      newId,
    });
    alice.release();
    await settle();
    const bob = await acquireSessionId({
      username: 'bob',
      storage,
      tabStorage: new FakeStorage(),
      locks,
      newId,
    });
    expect(bob.sessionId).toBe('b1');
  });

  it('ignores a corrupt pool', async () => {
    const storage = new FakeStorage();
    storage.setItem('lfsync-web.sessions.alice', '{not json');
    const held = await acquireSessionId({
      username: 'alice',
      storage,
      tabStorage: new FakeStorage(),
      locks: new FakeLocks(),
      newId: ids('s1'),
    });
    expect(held.sessionId).toBe('s1');
    expect(storage.getItem('lfsync-web.sessions.alice')).toBe('["s1"]');
  });

  it('without Web Locks keeps one id per tab in the tab storage', async () => {
    const tabStorage = new FakeStorage();
    const newId = ids('s1', 's2');
    const options = { username: 'alice', storage: new FakeStorage(), tabStorage, locks: undefined, newId };
    expect((await acquireSessionId(options)).sessionId).toBe('s1');
    expect((await acquireSessionId(options)).sessionId).toBe('s1');
    expect((await acquireSessionId({ ...options, tabStorage: new FakeStorage() })).sessionId).toBe('s2');
  });
});
