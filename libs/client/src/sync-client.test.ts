import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonFileStorage } from './storage/json-file-storage.ts';
import { MemoryStorage } from './storage/memory-storage.ts';
import type { SyncStorage } from './storage/sync-storage.ts';
import { createTestClient, settle, useTestClients } from './testing/client-fixture.ts';
import { FakeClock } from './testing/fake-clock.ts';
import { FakeSyncServer } from './testing/fake-sync-server.ts';
import type { RecordEntry } from './local/repository-state.ts';

interface Todo {
  title: string;
  done?: boolean;
}

const directories: string[] = [];
afterEach(async () => {
  for (const d of directories.splice(0)) await rm(d, { recursive: true, force: true });
});
const clients = useTestClients();

const titles = (entries: readonly RecordEntry<Todo>[]): string[] => entries.map((e) => e.data.title).sort();

describe.each<[string, () => Promise<() => SyncStorage>]>([
  [
    'memory storage',
    () =>
      Promise.resolve(
        (
          (storage) => () =>
            storage
        )(new MemoryStorage()),
      ),
  ],
  [
    'JSON file storage',
    async () => {
      const directory = await mkdtemp(join(tmpdir(), 'lfsync-client-'));
      directories.push(directory);
      // A new instance per client, as after a process restart.
      return () => new JsonFileStorage(join(directory, 'state.json'));
    },
  ],
])('restart with %s', (_name, makeStorage) => {
  it('keeps the records, the queue and the cursor; resumes catch-up from the cursor and pushes the queue', async () => {
    const storageFor = await makeStorage();
    const server = new FakeSyncServer();
    for (let i = 1; i <= 3; i++) {
      server.append('todo', {
        _event_id: `seed-${i}`,
        _operation: 0,
        _created_at: '2025-01-01T00:00:00.000Z',
        _data_id: `s${i}`,
        _data: { title: `seed ${i}` },
      });
    }
    const first = await clients.open(server, { storage: storageFor() });
    first.client.start();
    await first.client.whenLive();
    await first.client.stop();
    // Offline writes, then the process ends.
    const todo = first.client.repository<Todo>('todo');
    void todo.upsert('mine-1', { title: 'mine 1' });
    void todo.upsert('mine-2', { title: 'mine 2' });
    void todo.delete('s1');
    await first.client.persisted();
    server.append('todo', {
      _event_id: 'seed-4',
      _operation: 0,
      _created_at: '2025-01-01T00:00:00.000Z',
      _data_id: 's4',
      _data: { title: 'seed 4' },
    });

    const second = await clients.open(server, { storage: storageFor() });
    // Offline, right after the restart: the same view and the same queue.
    expect(titles(second.client.repository<Todo>('todo').all())).toEqual([
      'mine 1',
      'mine 2',
      'seed 2',
      'seed 3',
    ]);
    expect(second.client.pendingCount).toBe(3);
    second.client.start();
    await second.client.whenLive();
    await second.client.flushed();
    const connection = server.lastConnection;
    expect(connection.catchUps()).toEqual([
      { repository: 'todo', afterSequence: 3 },
      { repository: 'note', afterSequence: 0 },
    ]);
    expect(connection.sent('push_events_batch').flatMap((f) => f.events)).toHaveLength(3);
    expect(titles(second.client.repository<Todo>('todo').all())).toEqual([
      'mine 1',
      'mine 2',
      'seed 2',
      'seed 3',
      'seed 4',
    ]);
    expect(server.events('todo')).toHaveLength(7);
    await second.client.persisted();

    const third = await clients.open(server, { storage: storageFor() });
    expect(third.client.pendingCount).toBe(0);
    third.client.start();
    await third.client.whenLive();
    expect(server.lastConnection.catchUps()[0]).toEqual({ repository: 'todo', afterSequence: 7 });
  });
});

describe('two clients', () => {
  it('converge, including concurrent writes to one record, and the losing write is reported', async () => {
    const server = new FakeSyncServer();
    const clock = new FakeClock();
    const alice = await clients.open(server, { clock });
    const bob = await clients.open(server, { clock });
    alice.client.start();
    bob.client.start();
    await Promise.all([alice.client.whenLive(), bob.client.whenLive()]);

    await alice.client.repository<Todo>('todo').upsert('shared', { title: 'from alice' });
    await alice.client.flushed();
    await settle();
    expect(bob.client.repository<Todo>('todo').get('shared')).toEqual({ title: 'from alice' });

    // Bob goes offline and edits; Alice edits later (by the clock) while Bob is away.
    bob.client.stop().catch(() => undefined);
    await clock.advance(10);
    await bob.client.repository<Todo>('todo').upsert('shared', { title: 'from bob (earlier)' });
    await bob.client.repository<Todo>('todo').upsert('bob-only', { title: 'bob only' });
    await clock.advance(10);
    await alice.client.repository<Todo>('todo').upsert('shared', { title: 'from alice (later)' });
    await alice.client.flushed();

    bob.client.start();
    await bob.client.whenLive();
    await bob.client.flushed();
    await settle();
    for (const t of [alice, bob]) {
      expect(titles(t.client.repository<Todo>('todo').all())).toEqual(['bob only', 'from alice (later)']);
    }
    expect(bob.conflicts).toEqual([
      expect.objectContaining({ id: 'shared', resolution: 'current', incomingIsLocal: true }),
    ]);
    expect(alice.conflicts).toEqual([
      expect.objectContaining({ id: 'shared', resolution: 'current', incomingIsLocal: false }),
    ]);
  });
});

describe('observing', () => {
  it('repository and query subscriptions see local and remote changes', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server);
    const todo = t.client.repository<Todo>('todo');
    const all: string[][] = [];
    const open: string[][] = [];
    todo.subscribe((records) => all.push(titles(records)));
    const query = todo.query((data) => data.done !== true);
    const unsubscribe = query.subscribe((records) => open.push(titles(records)));
    void todo.upsert('a', { title: 'a' });
    void todo.upsert('b', { title: 'b' });
    void todo.upsert('a', { title: 'a', done: true });
    t.client.start();
    await t.client.whenLive();
    server.append('todo', {
      _event_id: 'r1',
      _operation: 0,
      _created_at: '2030-01-01T00:00:00Z',
      _data_id: 'c',
      _data: { title: 'c' },
    });
    await settle();
    expect(all).toEqual([[], ['a'], ['a', 'b'], ['a', 'b'], ['a', 'b', 'c']]);
    expect(open).toEqual([[], ['a'], ['a', 'b'], ['b'], ['b', 'c']]);
    expect(
      query
        .current()
        .map((e) => e.id)
        .sort(),
    ).toEqual(['b', 'c']);
    unsubscribe();
    void todo.upsert('d', { title: 'd' });
    expect(open).toHaveLength(5);
    expect(
      query
        .current()
        .map((e) => e.id)
        .sort(),
    ).toEqual(['b', 'c', 'd']);
  });

  it('whenLive() and flushed() resolve when their condition holds', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server);
    await t.client.flushed();
    void t.client.repository<Todo>('todo').upsert('a', { title: 'a' });
    let flushed = false;
    const done = t.client.flushed().then(() => (flushed = true));
    await settle();
    expect(flushed).toBe(false);
    t.client.start();
    await t.client.whenLive();
    await done;
    expect(t.client.pendingCount).toBe(0);
  });

  it('rejects unknown repositories and invalid names', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server);
    expect(() => t.client.repository('nope')).toThrow('not one of');
    await expect(createTestClient(server, { repositories: ['bad name'] })).rejects.toThrow(
      'invalid repository names',
    );
  });
});
