import { createSyncClient, createUuidV7Generator, type SyncClient } from '@lfsync/client';
import { FakeClock, FakeSyncServer } from '@lfsync/client/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeCounters } from '../model/counter.ts';
import { APP_REPOSITORIES, CounterStore } from './counter-store.ts';

const clients: SyncClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
});

/** Lets the fake server's frames (microtasks) be delivered and handled. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function store(
  server: FakeSyncServer,
  username: string,
  sessionId: string,
  now?: () => Date,
): Promise<CounterStore> {
  const clock = new FakeClock();
  const client = await createSyncClient({
    url: 'ws://fake/sync',
    tokenProvider: () => `token-${username}`,
    repositories: APP_REPOSITORIES,
    webSocket: server.WebSocket,
    clock,
  });
  clients.push(client);
  return new CounterStore({
    client,
    username,
    sessionId,
    newId: createUuidV7Generator(() => 1_000),
    ...(now ? { now } : {}),
  });
}

describe('CounterStore', () => {
  it('shows clicks at once, offline, with a unique log entry per click even within one millisecond', async () => {
    const alice = await store(new FakeSyncServer(), 'alice', 's1', () => new Date(1_000));
    await alice.change(1);
    await alice.change(1);
    await alice.change(-1);
    expect(summarizeCounters(alice.counters.current(), 's1')).toMatchObject({ total: 1, session: 1 });
    const logs = alice.logs.current();
    expect(logs.map((l) => l.increment)).toEqual([1, 1, -1]);
    expect(new Set(logs.map((l) => l.id)).size).toBe(3);
    expect(logs[0]).toMatchObject({
      username: 'alice',
      session_id: 's1',
      created_at: new Date(1_000).toISOString(),
    });
  });

  it('sums the sessions of every user once synced, without conflicts', async () => {
    const server = new FakeSyncServer();
    const alice = await store(server, 'alice', 'sa');
    const bob = await store(server, 'bob', 'sb');
    await alice.change(1);
    await alice.change(1);
    await bob.change(-1);
    const conflicts: unknown[] = [];
    for (const c of clients) {
      c.onConflict((conflict) => conflicts.push(conflict));
      c.start();
    }
    await settle();
    await Promise.all(clients.map((c) => c.flushed()));
    await settle();
    for (const s of [alice, bob]) {
      expect(summarizeCounters(s.counters.current(), s.sessionId).total).toBe(1);
      expect(s.logs.current()).toHaveLength(3);
    }
    expect(conflicts).toEqual([]);
  });

  it('creates the user record only once live, and keeps the avatar a user already has on the server', async () => {
    const server = new FakeSyncServer();
    server.append('user', {
      _event_id: 'e1',
      _operation: 0,
      _created_at: '2024-01-01T00:00:00.000Z',
      _data_id: 'alice',
      _data: {
        id: 'alice',
        username: 'alice',
        avatar_url: 'https://x.test/a.png',
        created_at: 'c',
        updated_at: 'u',
      },
    });
    const alice = await store(server, 'alice', 's1');
    const bob = await store(server, 'bob', 's2');
    alice.ensureUserWhenLive();
    bob.ensureUserWhenLive();
    expect(bob.me()).toBeUndefined();
    clients.forEach((c) => c.start());
    await Promise.all(clients.map((c) => c.whenLive()));
    await settle();
    expect(alice.me()).toMatchObject({ avatar_url: 'https://x.test/a.png' });
    expect(bob.me()).toMatchObject({ id: 'bob', username: 'bob', avatar_url: '' });
    expect(server.events('user')).toHaveLength(2);
  });

  it('leaves out records of other clients that do not have the expected shape', async () => {
    const server = new FakeSyncServer();
    const event = (repository: string, id: string, data: Record<string, unknown>) =>
      server.append(repository, {
        _event_id: `${repository}-${id}`,
        _operation: 0,
        _created_at: '2024-01-01T00:00:00.000Z',
        _data_id: id,
        _data: { id, ...data },
      });
    event('session_counter', 'ok', { username: 'eve', session_id: 'ok', count: 2 });
    event('session_counter', 'bad', { username: 'eve', session_id: 'bad', count: 'many' });
    event('counter_log', 'l1', { username: 'eve', increment: 1, created_at: '2024-01-01T00:00:00.000Z' });
    event('counter_log', 'l2', { username: 'eve', increment: 'up' });
    event('user', 'eve', { username: 'eve', avatar_url: null });
    const alice = await store(server, 'alice', 's1');
    clients.forEach((c) => c.start());
    await Promise.all(clients.map((c) => c.whenLive()));
    expect(summarizeCounters(alice.counters.current(), 's1').total).toBe(2);
    expect(alice.logs.current().map((l) => l.id)).toEqual(['l1']);
    expect(alice.users.current()).toEqual([{ id: 'eve', username: 'eve', avatar_url: '' }]);
  });

  it('changes the avatar and keeps the creation time', async () => {
    const alice = await store(new FakeSyncServer(), 'alice', 's1', () => new Date(5_000));
    await alice.setAvatar('https://x.test/me.png');
    const first = alice.me();
    await alice.setAvatar('');
    expect(alice.me()).toMatchObject({ avatar_url: '', created_at: first?.created_at });
  });
});
