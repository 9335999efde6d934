import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LockManagerLike } from './shared-tab-link.ts';
import { MemoryStorage } from '../storage/memory-storage.ts';
import { createTestClient, type TestClient } from '../testing/client-fixture.ts';
import { FakeSyncServer } from '../testing/fake-sync-server.ts';

/** Web Locks' exclusive mode: one holder per name, the others wait in order; an aborted wait drops out. */
class FakeLockManager implements LockManagerLike {
  readonly #queues = new Map<string, Array<() => void>>();
  readonly #held = new Set<string>();

  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        this.#held.add(name);
        void callback()
          .then(resolve, reject)
          .finally(() => {
            this.#held.delete(name);
            this.#queues.get(name)?.shift()?.();
          });
      };
      if (!this.#held.has(name)) {
        grant();
        return;
      }
      const queue = this.#queues.get(name) ?? [];
      queue.push(grant);
      this.#queues.set(name, queue);
      options.signal?.addEventListener('abort', () => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }
}

const opened: TestClient[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.client.close();
});

/** Tabs of one browser: one storage, one lock manager, one channel name. */
function browser(server: FakeSyncServer): { name: string; open(): Promise<TestClient> } {
  const storage = new MemoryStorage();
  const locks = new FakeLockManager();
  const name = `tabs-${randomUUID()}`;
  return {
    name,
    async open() {
      const t = await createTestClient(server, { storage, tabs: { name, locks } });
      opened.push(t);
      t.client.start();
      return t;
    },
  };
}

async function tabs(count: number, server: FakeSyncServer): Promise<TestClient[]> {
  const b = browser(server);
  const result: TestClient[] = [];
  for (let i = 0; i < count; i++) result.push(await b.open());
  return result;
}

const titles = (t: TestClient): string[] =>
  t.client
    .repository<{ title: string }>('todo')
    .all()
    .map((e) => e.data.title)
    .sort();

describe('tabs sharing one storage', () => {
  it('one socket for all tabs; a write in any tab shows in the others and is pushed once', async () => {
    const server = new FakeSyncServer();
    const [leader, follower] = await tabs(2, server);
    if (leader === undefined || follower === undefined) throw new Error('two tabs');
    await leader.client.whenLive();
    await expect.poll(() => follower.client.state.status).toBe('live');
    expect(leader.client.tabRole).toBe('leader');
    expect(follower.client.tabRole).toBe('follower');
    expect(server.connections).toHaveLength(1);

    await follower.client.repository('todo').upsert('f1', { title: 'from follower' });
    await leader.client.repository('todo').upsert('l1', { title: 'from leader' });
    await expect.poll(() => titles(follower)).toEqual(['from follower', 'from leader']);
    await expect.poll(() => titles(leader)).toEqual(['from follower', 'from leader']);
    await expect.poll(() => follower.client.pendingCount).toBe(0);
    expect(server.events('todo').map((e) => e._event_id)).toHaveLength(2);
    expect(server.connections).toHaveLength(1);
  });

  it('shares writes while offline, and the next leader pushes them once when the leader tab closes', async () => {
    const server = new FakeSyncServer();
    server.refuseConnections = true;
    const [first, second, third] = await tabs(3, server);
    if (first === undefined || second === undefined || third === undefined) throw new Error('three tabs');
    await second.client.repository('todo').upsert('a', { title: 'offline in tab 2' });
    await third.client.repository('todo').upsert('b', { title: 'offline in tab 3' });
    for (const t of [first, second, third]) {
      await expect.poll(() => titles(t)).toEqual(['offline in tab 2', 'offline in tab 3']);
      await expect.poll(() => t.client.pendingCount).toBe(2);
    }
    expect(first.client.tabRole).toBe('leader');

    await first.client.close();
    opened.splice(opened.indexOf(first), 1);
    await expect.poll(() => second.client.tabRole).toBe('leader');
    server.refuseConnections = false;
    second.client.reconnect();
    await second.client.whenLive();
    await expect.poll(() => third.client.pendingCount).toBe(0);
    expect(server.events('todo')).toHaveLength(2);
    expect(titles(third)).toEqual(['offline in tab 2', 'offline in tab 3']);
  });

  it('a tab opened later starts from the shared storage and follows what the leader receives', async () => {
    const server = new FakeSyncServer();
    const b = browser(server);
    const leader = await b.open();
    await leader.client.whenLive();
    const seed = (n: number): void => {
      server.append('todo', {
        _event_id: `remote-${n}`,
        _operation: 0,
        _created_at: '2025-01-01T00:00:00.000Z',
        _data_id: `r${n}`,
        _data: { title: `server ${n}` },
      });
    };
    seed(1);
    await expect.poll(() => titles(leader)).toEqual(['server 1']);
    await leader.client.persisted();
    const late = await b.open();
    expect(titles(late)).toEqual(['server 1']);
    seed(2);
    await expect.poll(() => titles(late)).toEqual(['server 1', 'server 2']);
    expect(late.client.tabRole).toBe('follower');
    expect(server.connections).toHaveLength(1);
  });

  it('ignores and reports messages that are not tab messages', async () => {
    const server = new FakeSyncServer();
    const b = browser(server);
    const tab = await b.open();
    const stranger = new BroadcastChannel(`lfsync:${b.name}`);
    stranger.postMessage({ type: 'persisted', changes: { records: 'all of them' } });
    stranger.postMessage('hello');
    await expect.poll(() => tab.errors.filter((e) => e.kind === 'invalid_frame').length).toBe(2);
    stranger.close();
    await tab.client.repository('todo').upsert('x', { title: 'still works' });
    expect(titles(tab)).toEqual(['still works']);
  });
});

describe('presence with tabs', () => {
  it("the leader's connection is the member; a follower shows the leader's view of who is online", async () => {
    const server = new FakeSyncServer();
    const [leader, follower] = await tabs(2, server);
    if (leader === undefined || follower === undefined) throw new Error('two tabs');
    await leader.client.whenLive();
    const leaderRoom = leader.client.joinPresence('todo', { name: 'me' });
    const followerRoom = follower.client.joinPresence('todo', { name: 'me' });
    await expect.poll(() => leaderRoom.status).toBe('joined');

    const other = await browser(server).open();
    await other.client.whenLive();
    other.client.joinPresence('todo', { name: 'other' });
    await expect.poll(() => followerRoom.members.map((m) => m.meta['name']).sort()).toEqual(['me', 'other']);
    expect(followerRoom.status).toBe('joined');
    expect(followerRoom.sessionId).toBe(leaderRoom.sessionId);
    expect(server.presence.members('todo')).toHaveLength(2);
  });
});
