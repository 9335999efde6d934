import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LockManagerLike } from './tab-liveness.ts';
import { MemoryStorage } from '../storage/memory-storage.ts';
import { settle, useTestClients, type TestClient } from '../testing/client-fixture.ts';
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

const clients = useTestClients();

/** Tabs of one browser: one storage, one lock manager, one channel name. */
function browser(server: FakeSyncServer): {
  name: string;
  locks: FakeLockManager;
  open(): Promise<TestClient>;
} {
  const storage = new MemoryStorage();
  const locks = new FakeLockManager();
  const name = `tabs-${randomUUID()}`;
  return {
    name,
    locks,
    open: () => clients.started(server, { storage, tabs: { name, locks } }),
  };
}

async function tabs(count: number, server: FakeSyncServer): Promise<TestClient[]> {
  const b = browser(server);
  const result: TestClient[] = [];
  for (let i = 0; i < count; i++) result.push(await b.open());
  return result;
}

/** Two tabs of one browser, once the first one (the leader) is live. */
async function twoLiveTabs(server: FakeSyncServer): Promise<{ leader: TestClient; follower: TestClient }> {
  const [leader, follower] = await tabs(2, server);
  if (leader === undefined || follower === undefined) throw new Error('two tabs');
  await leader.client.whenLive();
  return { leader, follower };
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
    const { leader, follower } = await twoLiveTabs(server);
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

    await clients.close(first);
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

const names = (members: readonly { meta: Record<string, unknown> }[]): unknown[] =>
  members.map((m) => m.meta['name']).sort();

const docEvent = (id: string) => ({
  _event_id: `remote-${id}`,
  _operation: 0,
  _created_at: '2025-01-01T00:00:00.000Z',
  _data_id: id,
  _data: { title: id },
});

describe('subscriptions of follower tabs', () => {
  it("go through the leader's socket: the follower sees the status and the records; unsubscribe ends it", async () => {
    const server = new FakeSyncServer();
    server.append('doc:1', docEvent('a'));
    const { follower } = await twoLiveTabs(server);
    const doc = follower.client.subscribe('doc:1');
    await doc.whenLive();
    expect(server.connections).toHaveLength(1);
    expect(server.lastConnection.catchUps('doc:1')).toEqual([{ repository: 'doc:1', afterSequence: 0 }]);
    await expect.poll(() => follower.client.repository('doc:1').get('a')).toEqual({ title: 'a' });
    server.append('doc:1', docEvent('b'));
    await expect.poll(() => follower.client.repository('doc:1').get('b')).toEqual({ title: 'b' });

    doc.unsubscribe();
    await expect
      .poll(() => server.lastConnection.received.at(-1))
      .toEqual({ type: 'unsubscribe', repository: 'doc:1' });
  });

  it('a refusal reaches the follower with its code; what the leader holds is unaffected', async () => {
    const server = new FakeSyncServer();
    server.refuseSubscription = (repository) => (repository === 'secret' ? { code: 'FORBIDDEN' } : undefined);
    const { follower } = await twoLiveTabs(server);
    const secret = follower.client.subscribe('secret');
    await expect(secret.whenLive()).rejects.toMatchObject({ code: 'FORBIDDEN', repository: 'secret' });
    expect(secret.status).toBe('refused');
    expect(follower.client.subscriptions.map((s) => [s.repository, s.status])).toEqual([
      ['todo', 'live'],
      ['note', 'live'],
      ['secret', 'refused'],
    ]);
  });

  it('one subscription on the wire while any tab holds it', async () => {
    const server = new FakeSyncServer();
    const { leader, follower } = await twoLiveTabs(server);
    const mine = leader.client.subscribe('doc:*');
    const theirs = follower.client.subscribe('doc:*');
    await theirs.whenLive();
    await mine.whenLive();
    mine.unsubscribe();
    await settle();
    expect(theirs.status).toBe('live');
    const frames = server.lastConnection.received.filter(
      (f) => 'repository' in f && f.repository === 'doc:*',
    );
    expect(frames.map((f) => f.type)).toEqual(['subscribe']);
    theirs.unsubscribe();
    await expect
      .poll(() => server.lastConnection.received.at(-1))
      .toEqual({ type: 'unsubscribe', repository: 'doc:*' });
  });
});

describe('presence with tabs', () => {
  it("a follower's presence joins on the leader's connection; it sees the members and each change", async () => {
    const server = new FakeSyncServer();
    const { follower } = await twoLiveTabs(server);
    const room = follower.client.joinPresence('room', { name: 'me' });
    const changes: string[] = [];
    room.onChange((members, change) => changes.push(`${change.kind}:${members.length}`));
    await expect.poll(() => room.status).toBe('joined');
    expect(server.presence.members('room').map((m) => m.meta)).toEqual([{ name: 'me' }]);
    expect(room.sessionId).toBe(server.lastConnection.sessionId);

    const other = await browser(server).open();
    await other.client.whenLive();
    const otherRoom = other.client.joinPresence('room', { name: 'other' });
    await expect.poll(() => names(room.members)).toEqual(['me', 'other']);
    room.update({ name: 'me again' });
    await expect.poll(() => names(otherRoom.members)).toEqual(['me again', 'other']);
    otherRoom.leave();
    await expect.poll(() => names(room.members)).toEqual(['me again']);
    expect(changes).toEqual(['snapshot:0', 'snapshot:1', 'diff:2', 'diff:2', 'diff:1']);

    room.leave();
    await expect.poll(() => server.presence.members('room')).toEqual([]);
    expect(room.status).toBe('left');
  });

  it('tabs in one room are one member, present until the last of them leaves', async () => {
    const server = new FakeSyncServer();
    const { leader, follower } = await twoLiveTabs(server);
    const leaderRoom = leader.client.joinPresence('room', { name: 'me' });
    const followerRoom = follower.client.joinPresence('room', { name: 'me' });
    await expect.poll(() => followerRoom.status).toBe('joined');
    expect(followerRoom.sessionId).toBe(leaderRoom.sessionId);
    expect(server.presence.members('room')).toHaveLength(1);
    leaderRoom.leave();
    await settle();
    expect(server.presence.members('room')).toHaveLength(1);
    expect(followerRoom.members).toHaveLength(1);
    followerRoom.leave();
    await expect.poll(() => server.presence.members('room')).toEqual([]);
  });

  it('a follower tab that goes away without a word (its lock freed) leaves the presence', async () => {
    const server = new FakeSyncServer();
    const b = browser(server);
    const leader = await b.open();
    await leader.client.whenLive();
    // A tab of an app that crashed: it held its lock and told the leader its claims, then vanished.
    let vanish = (): void => undefined;
    void b.locks.request(`lfsync:${b.name}:tab:ghost`, {}, () => new Promise<void>((r) => (vanish = r)));
    const ghost = new BroadcastChannel(`lfsync:${b.name}`);
    const claims = { subscriptions: ['doc:9'], presences: [{ repository: 'room', meta: { name: 'ghost' } }] };
    ghost.postMessage({ type: 'claims', tab: 'ghost', ...claims });
    await expect.poll(() => server.presence.members('room').map((m) => m.meta)).toEqual([{ name: 'ghost' }]);
    vanish();
    await expect.poll(() => server.presence.members('room')).toEqual([]);
    expect(server.lastConnection.received).toContainEqual({ type: 'unsubscribe', repository: 'doc:9' });
    ghost.close();
  });

  it("when the leader tab closes, the next one holds every remaining tab's subscriptions and presence", async () => {
    const server = new FakeSyncServer();
    const [first, second, third] = await tabs(3, server);
    if (first === undefined || second === undefined || third === undefined) throw new Error('three tabs');
    await first.client.whenLive();
    first.client.joinPresence('lobby', { name: 'first' });
    const doc = second.client.subscribe('doc:1');
    const secondRoom = second.client.joinPresence('room', { name: 'second' });
    const thirdRoom = third.client.joinPresence('room', { name: 'third' });
    await doc.whenLive();
    await expect.poll(() => server.presence.members('lobby')).toHaveLength(1);

    await clients.close(first);
    await expect.poll(() => second.client.tabRole).toBe('leader');
    await second.client.whenLive();
    await doc.whenLive();
    expect(server.connections).toHaveLength(2);
    await expect.poll(() => server.presence.members('room')).toHaveLength(1);
    expect(server.presence.members('lobby')).toEqual([]);
    await expect.poll(() => thirdRoom.status).toBe('joined');
    expect(thirdRoom.sessionId).toBe(server.lastConnection.sessionId);
    expect(secondRoom.members).toEqual(thirdRoom.members);
    server.append('doc:1', docEvent('c'));
    await expect.poll(() => second.client.repository('doc:1').get('c')).toEqual({ title: 'c' });
  });
});
