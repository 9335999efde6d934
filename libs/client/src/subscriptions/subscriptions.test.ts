import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../storage/memory-storage.ts';
import { settle, useTestClients, type TestClient } from '../testing/client-fixture.ts';
import { FakeSyncServer } from '../testing/fake-sync-server.ts';
import { SubscriptionError } from './subscription-error.ts';

const clients = useTestClients();

let counter = 0;
const event = (id: string, data: Record<string, unknown>) => ({
  _event_id: `remote-${++counter}`,
  _operation: 1,
  _created_at: '2025-01-01T00:00:00.000Z',
  _data_id: id,
  _data: data,
});

const ids = (t: TestClient, repository: string): string[] =>
  t.client
    .repository(repository)
    .all()
    .map((entry) => entry.id)
    .sort();

describe('subscribe to an exact name', () => {
  it('catches up from the cursor, then receives it live; unsubscribing stops the live events', async () => {
    const server = new FakeSyncServer();
    server.append('doc:1', event('a', { v: 1 }));
    const t = await clients.live(server);
    const subscription = t.client.subscribe('doc:1');
    expect(subscription.status).toBe('pending');
    await subscription.whenLive();
    expect(server.lastConnection.sent('subscribe').at(-1)).toEqual({
      type: 'subscribe',
      repository: 'doc:1',
      afterSequence: 0,
    });
    expect(ids(t, 'doc:1')).toEqual(['a']);
    server.append('doc:1', event('b', { v: 2 }));
    await settle();
    expect(ids(t, 'doc:1')).toEqual(['a', 'b']);

    subscription.unsubscribe();
    await settle();
    expect(subscription.status).toBe('closed');
    expect(server.lastConnection.sent('unsubscribe')).toEqual([{ type: 'unsubscribe', repository: 'doc:1' }]);
    server.append('doc:1', event('c', { v: 3 }));
    await settle();
    expect(ids(t, 'doc:1')).toEqual(['a', 'b']);
    expect(t.client.subscribe('doc:1')).not.toBe(subscription);
    await settle();
    expect(ids(t, 'doc:1')).toEqual(['a', 'b', 'c']);
    expect(server.lastConnection.catchUps('doc:1').map((c) => c.afterSequence)).toEqual([0, 2]);
  });

  it('made while offline, it is readable at once and subscribed on the next connection', async () => {
    const server = new FakeSyncServer();
    server.append('doc:9', event('a', {}));
    const t = await clients.open(server);
    const subscription = t.client.subscribe('doc:9');
    expect(ids(t, 'doc:9')).toEqual([]);
    await t.client.repository('doc:9').upsert('mine', { offline: true });
    t.client.start();
    await subscription.whenLive();
    await t.client.flushed();
    expect(ids(t, 'doc:9')).toEqual(['a', 'mine']);
    expect(server.lastConnection.received.map((f) => f.type).slice(0, 4)).toEqual([
      'auth',
      'subscribe',
      'subscribe',
      'subscribe',
    ]);
  });

  it('subscribing again returns the subscription held; a bad pattern throws a TypeError', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    expect(t.client.subscribe('doc:1')).toBe(t.client.subscribe('doc:1'));
    expect(() => t.client.subscribe('a*b')).toThrow(TypeError);
    expect(() => t.client.subscribe('a.b')).toThrow(TypeError);
    expect(t.client.subscriptions.map((s) => s.repository)).toEqual(['todo', 'note', 'doc:1']);
  });

  it('resumes after a reconnect from the stored cursor: nothing missing, nothing twice', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    await t.client.subscribe('doc:1').whenLive();
    server.append('doc:1', event('a', { v: 1 }));
    server.append('doc:1', event('b', { v: 1 }));
    await settle();
    server.refuseConnections = true;
    server.dropAll();
    await settle();
    expect(t.client.subscriptions.every((s) => s.status === 'pending')).toBe(true);
    server.append('doc:1', event('c', { v: 1 }));
    server.append('doc:1', event('a', { v: 2 }));
    server.refuseConnections = false;
    await t.clock.advance(1_000);
    await t.client.whenLive();
    await t.client.subscribe('doc:1').whenLive();
    const connection = server.lastConnection;
    expect(connection.catchUps('doc:1')).toEqual([{ repository: 'doc:1', afterSequence: 2 }]);
    // Exactly the two events after the cursor came, once each.
    expect(connection.sequencesSent('doc:1')).toEqual([3, 4]);
    expect(t.client.repository<{ v: number }>('doc:1').get('a')).toEqual({ v: 2 });
    expect(ids(t, 'doc:1')).toEqual(['a', 'b', 'c']);
    expect(t.errors).toEqual([]);
  });

  it('a refusal is a SubscriptionError with the code; the other repositories stay live', async () => {
    const server = new FakeSyncServer();
    server.refuseSubscription = (repository) => (repository === 'secret' ? { code: 'FORBIDDEN' } : undefined);
    const t = await clients.live(server);
    const subscription = t.client.subscribe('secret');
    await expect(subscription.whenLive()).rejects.toBeInstanceOf(SubscriptionError);
    expect(subscription.status).toBe('refused');
    expect(subscription.error).toMatchObject({ code: 'FORBIDDEN', retryable: false, repository: 'secret' });
    expect(t.client.state.status).toBe('live');
    expect(t.errors).toMatchObject([{ kind: 'server_error', code: 'FORBIDDEN', repository: 'secret' }]);
    server.append('todo', event('x', {}));
    await settle();
    expect(ids(t, 'todo')).toEqual(['x']);
  });

  it('a declared repository refused while connecting does not keep the client from going live', async () => {
    const server = new FakeSyncServer();
    server.refuseSubscription = (repository) => (repository === 'note' ? { code: 'FORBIDDEN' } : undefined);
    const t = await clients.live(server);
    expect(t.client.subscriptions.map((s) => [s.repository, s.status])).toEqual([
      ['todo', 'live'],
      ['note', 'refused'],
    ]);
  });

  it('ends a subscription the server ends on its own (a token refresh took the right away)', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    const note = t.client.subscriptions[1];
    server.lastConnection.send({ type: 'unsubscribed', repository: 'note' });
    await settle();
    expect(note?.status).toBe('refused');
    expect(note?.error?.code).toBe('FORBIDDEN');
  });
});

describe('subscribe to a pattern', () => {
  it('opens the repositories it delivers and catches each up from 0 on a gap', async () => {
    const server = new FakeSyncServer();
    server.append('team/1/notes', event('old', {}));
    const t = await clients.live(server);
    const subscription = t.client.subscribe('team/1/*');
    await subscription.whenLive();
    expect(server.lastConnection.sent('subscribe').at(-1)).toEqual({
      type: 'subscribe',
      repository: 'team/1/*',
    });
    server.append('team/1/notes', event('new', {}));
    server.append('team/2/notes', event('other team', {}));
    await settle();
    expect(ids(t, 'team/1/notes')).toEqual(['new', 'old']);
    expect(() => t.client.repository('team/2/notes').all()).toThrow();
  });

  it('after a restart, catches up the stored repositories of the pattern from their cursors', async () => {
    const server = new FakeSyncServer();
    const storage = new MemoryStorage();
    const first = await clients.live(server, { storage });
    await first.client.subscribe('doc:*').whenLive();
    server.append('doc:1', event('a', {}));
    await settle();
    expect(ids(first, 'doc:1')).toEqual(['a']);
    await first.client.stop();
    server.append('doc:1', event('b', {}));

    const second = await clients.live(server, { storage });
    expect(() => ids(second, 'doc:1')).toThrow('not one of');
    const subscription = second.client.subscribe('doc:*');
    expect(ids(second, 'doc:1')).toEqual(['a']);
    await subscription.whenLive();
    await settle();
    expect(server.lastConnection.catchUps('doc:1')).toEqual([{ repository: 'doc:1', afterSequence: 1 }]);
    expect(ids(second, 'doc:1')).toEqual(['a', 'b']);
  });
});

describe('presence', () => {
  it('shows the snapshot, then joins, meta changes and leaves of the others', async () => {
    const server = new FakeSyncServer();
    const alice = await clients.live(server);
    const room = alice.client.joinPresence('todo', { name: 'Alice' });
    const changes: string[] = [];
    room.onChange((members, change) => changes.push(`${change.kind}:${members.length}`));
    await settle();
    expect(room.status).toBe('joined');
    expect(room.members).toEqual([{ sessionId: 'session-1', subject: 'token-1', meta: { name: 'Alice' } }]);

    const bob = await clients.live(server);
    const bobRoom = bob.client.joinPresence('todo', { name: 'Bob' });
    await settle();
    expect(bobRoom.members.map((m) => m.meta['name'])).toEqual(['Alice', 'Bob']);
    expect(room.members.map((m) => m.meta['name'])).toEqual(['Alice', 'Bob']);

    bobRoom.update({ name: 'Bobby' });
    await settle();
    expect(room.members.map((m) => m.meta['name'])).toEqual(['Alice', 'Bobby']);
    expect(bobRoom.members.map((m) => m.meta['name'])).toEqual(['Alice', 'Bobby']);

    await bob.client.stop();
    await settle();
    expect(room.members.map((m) => m.meta['name'])).toEqual(['Alice']);
    expect(changes).toEqual(['snapshot:0', 'snapshot:1', 'diff:2', 'diff:2', 'diff:1']);
  });

  it('leave() ends the membership but keeps the repository subscribed from its cursor', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    const room = t.client.joinPresence('todo', { name: 'Alice' });
    await settle();
    server.append('todo', event('a', {}));
    await settle();
    room.leave();
    await settle();
    expect(room.status).toBe('left');
    expect(server.presence.members('todo')).toEqual([]);
    const frames = server.lastConnection.received.slice(-2);
    expect(frames).toEqual([
      { type: 'unsubscribe', repository: 'todo' },
      { type: 'subscribe', repository: 'todo', afterSequence: 1 },
    ]);
    server.append('todo', event('b', {}));
    await settle();
    expect(ids(t, 'todo')).toEqual(['a', 'b']);
  });

  it('a presence_update refused for its rate is sent again after retryAfterMs, and stops nothing else', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    const room = t.client.joinPresence('todo', { typing: false });
    await settle();
    room.update({ typing: true });
    await settle();
    const connection = server.lastConnection;
    connection.send({
      type: 'error',
      code: 'PRESENCE_LIMIT',
      message: 'presence updates too fast',
      repository: 'todo',
      retryAfterMs: 500,
    });
    await settle();
    expect(connection.sent('presence_update')).toHaveLength(1);
    await t.clock.advance(500);
    await settle();
    expect(connection.sent('presence_update')).toEqual([
      { type: 'presence_update', repository: 'todo', meta: { typing: true } },
      { type: 'presence_update', repository: 'todo', meta: { typing: true } },
    ]);
    expect(room.status).toBe('joined');
    await t.client.repository('todo').upsert('x', { title: 'still pushed' });
    await t.client.flushed();
    expect(server.events('todo')).toHaveLength(1);
  });

  it('is empty while offline and joins again on the next connection', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    const room = t.client.joinPresence('lobby', { name: 'Alice' });
    await settle();
    expect(room.members).toHaveLength(1);
    server.dropAll();
    await settle();
    expect(room.status).toBe('pending');
    expect(room.members).toEqual([]);
    await t.clock.advance(1_000);
    await t.client.whenLive();
    await settle();
    expect(room.status).toBe('joined');
    expect(room.sessionId).toBe('session-2');
    expect(server.presence.members('lobby').map((m) => m.sessionId)).toEqual(['session-2']);
  });

  it('a full room is retried after retryAfterMs; a too large meta is refused for good', async () => {
    const server = new FakeSyncServer();
    let full = true;
    server.refuseSubscription = (repository, presence) => {
      if (!presence) return undefined;
      if (repository === 'big') return { code: 'PAYLOAD_TOO_LARGE' };
      return full ? { code: 'PRESENCE_LIMIT', retryAfterMs: 2_000 } : undefined;
    };
    const t = await clients.live(server);
    const room = t.client.joinPresence('todo', {});
    const big = t.client.joinPresence('big', { blob: 'x'.repeat(2_000) });
    await settle();
    expect(room.status).toBe('pending');
    expect(big.status).toBe('refused');
    expect(big.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    full = false;
    await t.clock.advance(2_000);
    await settle();
    expect(room.status).toBe('joined');
    expect(() => t.client.joinPresence('doc:*')).toThrow(TypeError);
  });
});
