import type { ServerEvent } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../storage/memory-storage.ts';
import type { SyncError } from '../sync-error.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { createUuidV7Generator } from '../uuidv7.ts';
import { lastWriterWins, type ConflictReport, type ConflictResolver } from './conflict.ts';
import { LocalStore } from './local-store.ts';

const T0 = Date.UTC(2025, 0, 1);

function remote(
  serverSequence: number,
  id: string,
  data: Record<string, unknown> | undefined,
  createdAtMs = T0,
  eventId = `remote-${serverSequence}`,
): ServerEvent {
  return {
    _event_id: eventId,
    _operation: data === undefined ? 2 : 1,
    _created_at: new Date(createdAtMs).toISOString(),
    _data_id: id,
    ...(data === undefined ? {} : { _data: data }),
    serverSequence,
  };
}

async function openStore(
  options: { storage?: MemoryStorage; clock?: FakeClock; resolver?: ConflictResolver } = {},
) {
  const clock = options.clock ?? new FakeClock(T0 + 60_000);
  const storage = options.storage ?? new MemoryStorage();
  const errors: SyncError[] = [];
  const store = await LocalStore.open({
    storage,
    repositories: ['todo', 'other'],
    resolver: options.resolver ?? lastWriterWins,
    clock,
    newEventId: createUuidV7Generator(() => clock.now()),
    report: (error) => errors.push(error),
  });
  const conflicts: ConflictReport[] = [];
  store.onConflict((c) => conflicts.push(c));
  return { store, storage, clock, errors, conflicts, todo: store.repository('todo') };
}

describe('local writes', () => {
  it('become events (insert, update, delete) applied to the view at once and queued', async () => {
    const { store, todo, clock } = await openStore();
    const insert = store.write('todo', 'a', { title: 'one' }).event;
    await clock.advance(5);
    const update = store.write('todo', 'a', { title: 'two' }).event;
    const remove = store.write('todo', 'a', undefined).event;

    expect(insert).toMatchObject({
      _operation: 0,
      _data_id: 'a',
      _data: { title: 'one' },
      _created_at: '2025-01-01T00:01:00.000Z',
    });
    expect(insert._event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(update).toMatchObject({
      _operation: 1,
      _data: { title: 'two' },
      _created_at: '2025-01-01T00:01:00.005Z',
    });
    expect(remove).toMatchObject({ _operation: 2, _data_id: 'a' });
    expect(remove).not.toHaveProperty('_data');
    expect(todo.get('a')).toBeUndefined();
    expect(store.pendingCount).toBe(3);
    expect(todo.unacknowledged().map((e) => e.event._event_id)).toEqual([
      insert._event_id,
      update._event_id,
      remove._event_id,
    ]);
  });

  it('re-inserting a deleted record is an insert again', async () => {
    const { store } = await openStore();
    store.write('todo', 'a', { n: 1 });
    store.write('todo', 'a', undefined);
    expect(store.write('todo', 'a', { n: 2 }).event._operation).toBe(0);
  });

  it('stamp a write at least 1 ms after the version it replaces, so it wins even if this clock is behind', async () => {
    const { store, todo } = await openStore();
    store.receive('todo', [remote(1, 'a', { by: 'fast clock' }, T0 + 3_600_000)]);
    const event = store.write('todo', 'a', { by: 'me' }).event;
    expect(event._created_at).toBe(new Date(T0 + 3_600_001).toISOString());
    store.receive('todo', [{ ...event, serverSequence: 2 }]);
    expect(todo.get('a')).toEqual({ by: 'me' });
  });

  it('copies the data, so later mutation by the app does not change the record', async () => {
    const { store, todo } = await openStore();
    const data = { n: 1 };
    store.write('todo', 'a', data);
    data.n = 2;
    expect(todo.get('a')).toEqual({ n: 1 });
  });
});

describe('server events', () => {
  it('are applied in serverSequence order; duplicates (≤ cursor) are ignored', async () => {
    const { store, todo } = await openStore();
    expect(store.receive('todo', [remote(1, 'a', { v: 1 }), remote(2, 'a', { v: 2 }, T0 + 1)]).gap).toBe(
      false,
    );
    expect(
      store.receive('todo', [
        remote(1, 'a', { v: 'stale duplicate' }),
        remote(2, 'a', { v: 'dup' }),
        remote(3, 'b', { v: 3 }),
      ]).gap,
    ).toBe(false);
    expect(todo.cursor).toBe(3);
    expect(todo.get('a')).toEqual({ v: 2 });
    expect(todo.get('b')).toEqual({ v: 3 });
  });

  it('detect a jump in sequence: nothing after the gap is applied and the cursor stays put', async () => {
    const { store, todo } = await openStore();
    store.receive('todo', [remote(1, 'a', { v: 1 })]);
    const result = store.receive('todo', [remote(3, 'c', { v: 3 }), remote(4, 'd', { v: 4 })]);
    expect(result.gap).toBe(true);
    expect(todo.cursor).toBe(1);
    expect(todo.get('c')).toBeUndefined();
    expect(todo.highestSeen).toBe(4);
  });

  it('advance the cursor only over contiguous events when a gap is inside a frame', async () => {
    const { store, todo } = await openStore();
    expect(
      store.receive('todo', [remote(1, 'a', { v: 1 }), remote(2, 'b', { v: 2 }), remote(4, 'd', { v: 4 })])
        .gap,
    ).toBe(true);
    expect(todo.cursor).toBe(2);
    expect(todo.get('b')).toEqual({ v: 2 });
    expect(todo.get('d')).toBeUndefined();
    store.receive('todo', [remote(3, 'c', { v: 3 }), remote(4, 'd', { v: 4 })]);
    expect(todo.cursor).toBe(4);
    expect(todo.get('d')).toEqual({ v: 4 });
  });

  it('a delete from the server removes the record and keeps a tombstone against older writes', async () => {
    const { store, todo, conflicts } = await openStore();
    store.receive('todo', [
      remote(1, 'a', { v: 1 }, T0),
      remote(2, 'a', undefined, T0 + 10),
      remote(3, 'a', { v: 'older' }, T0 + 5),
    ]);
    expect(todo.get('a')).toBeUndefined();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      id: 'a',
      resolution: 'current',
      incomingIsLocal: false,
      incoming: { eventId: 'remote-3' },
    });
  });

  it('skip and report events without a record id, still counting them in the cursor', async () => {
    const { store, todo, errors } = await openStore();
    store.receive('todo', [
      { _event_id: 'x', _operation: 0, _created_at: T0, _data: { no: 'id' }, serverSequence: 1 },
    ]);
    expect(todo.cursor).toBe(1);
    expect(errors).toEqual([{ kind: 'unidentified_event', repository: 'todo', eventId: 'x' }]);
  });

  it('use _data.id when _data_id is absent (other clients may send only that)', async () => {
    const { store, todo } = await openStore();
    store.receive('todo', [
      { _event_id: 'x', _operation: 0, _created_at: T0, _data: { id: 'k', v: 1 }, serverSequence: 1 },
    ]);
    expect(todo.get('k')).toEqual({ id: 'k', v: 1 });
  });
});

describe('pending events over the confirmed state', () => {
  it('the view is the confirmed state with pending writes on top; the echo confirms them', async () => {
    const { store, todo } = await openStore();
    store.receive('todo', [remote(1, 'a', { v: 'server' })]);
    const mine = store.write('todo', 'a', { v: 'mine' }).event;
    expect(todo.get('a')).toEqual({ v: 'mine' });
    store.receive('todo', [{ ...mine, serverSequence: 2 }]);
    expect(store.pendingCount).toBe(0);
    expect(todo.cursor).toBe(2);
    expect(todo.get('a')).toEqual({ v: 'mine' });
  });

  it('an ack takes the event off the count; it joins the confirmed state when the cursor reaches its sequence', async () => {
    const { store, todo } = await openStore();
    const mine = store.write('todo', 'a', { v: 'mine' }).event;
    store.acknowledge({
      type: 'ack',
      eventIds: [mine._event_id],
      repositories: { todo: [mine._event_id] },
      sequences: { [mine._event_id]: 2 },
    });
    expect(store.pendingCount).toBe(0);
    expect(todo.get('a')).toEqual({ v: 'mine' });
    expect(todo.cursor).toBe(0);
    store.receive('todo', [remote(1, 'b', { v: 'other' })]);
    expect(todo.cursor).toBe(2);
    // The echo of sequence 2 is now a duplicate.
    store.receive('todo', [{ ...mine, _data: { v: 'echo' }, serverSequence: 2 }]);
    expect(todo.get('a')).toEqual({ v: 'mine' });
  });

  it('an ack with the next sequence applies the event at once (no echo needed)', async () => {
    const { store, todo } = await openStore();
    const mine = store.write('todo', 'a', { v: 1 }).event;
    store.acknowledge({
      type: 'ack',
      eventIds: [mine._event_id],
      repositories: { todo: [mine._event_id] },
      sequences: { [mine._event_id]: 1 },
    });
    expect(todo.cursor).toBe(1);
    expect(todo.unacknowledged()).toEqual([]);
  });

  it('a local write that loses to a later server write is reported as a conflict, not dropped silently', async () => {
    const { store, todo, conflicts, clock } = await openStore();
    const mine = store.write('todo', 'a', { v: 'mine' }).event;
    const later = clock.now() + 1_000;
    store.receive('todo', [remote(1, 'a', { v: 'theirs' }, later)]);
    // The view already shows what the server order will give.
    expect(todo.get('a')).toEqual({ v: 'theirs' });
    store.receive('todo', [{ ...mine, serverSequence: 2 }]);
    expect(todo.get('a')).toEqual({ v: 'theirs' });
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      id: 'a',
      resolution: 'current',
      incomingIsLocal: true,
      incoming: { eventId: mine._event_id },
    });
    expect(store.pendingCount).toBe(0);
  });

  it('a custom resolver decides, and merges are reported', async () => {
    const union: ConflictResolver = ({ current, incoming }) => ({
      merged: {
        tags: [
          ...new Set([
            ...((current.data?.['tags'] as string[]) ?? []),
            ...((incoming.data?.['tags'] as string[]) ?? []),
          ]),
        ],
      },
    });
    const { store, todo, conflicts } = await openStore({ resolver: union });
    store.receive('todo', [remote(1, 'a', { tags: ['x'] }), remote(2, 'a', { tags: ['y'] }, T0 + 1)]);
    expect(todo.get('a')).toEqual({ tags: ['x', 'y'] });
    expect(conflicts.map((c) => c.resolution)).toEqual(['merged']);
  });

  it('dropping refused events restores the confirmed view', async () => {
    const { store, todo } = await openStore();
    store.receive('todo', [remote(1, 'a', { v: 'server' })]);
    const mine = store.write('todo', 'a', undefined).event;
    expect(todo.get('a')).toBeUndefined();
    const dropped = store.drop([mine._event_id, 'unknown']);
    expect([...dropped.keys()]).toEqual(['todo']);
    expect(todo.get('a')).toEqual({ v: 'server' });
    expect(store.pendingCount).toBe(0);
  });
});

describe('persistence', () => {
  it('records, cursors and the queue (with ack state and order) survive a reopen', async () => {
    const first = await openStore();
    first.store.receive('todo', [remote(1, 'a', { v: 1 }), remote(2, 'b', { v: 2 })]);
    first.store.receive('other', [remote(1, 'z', { v: 'z' })]);
    const e1 = first.store.write('todo', 'c', { v: 3 }).event;
    const e2 = first.store.write('todo', 'a', undefined).event;
    const e3 = first.store.write('other', 'y', { v: 'y' }).event;
    first.store.acknowledge({
      type: 'ack',
      eventIds: [e3._event_id],
      repositories: { other: [e3._event_id] },
      sequences: { [e3._event_id]: 5 },
    });
    await first.store.persisted();

    const second = await openStore({ storage: first.storage });
    expect(second.todo.cursor).toBe(2);
    expect(second.store.repository('other').cursor).toBe(1);
    expect(
      second.todo
        .all()
        .map((e) => e.id)
        .sort(),
    ).toEqual(['b', 'c']);
    expect(second.todo.unacknowledged().map((e) => e.event)).toEqual([e1, e2]);
    expect(second.store.pendingCount).toBe(2);
    expect(second.store.repository('other').get('y')).toEqual({ v: 'y' });
    // The acked event still waits for its sequence 5 and joins the confirmed state then.
    second.store.receive('other', [remote(2, 'q', {}), remote(3, 'q', {}), remote(4, 'q', {})]);
    expect(second.store.repository('other').cursor).toBe(5);
    // New writes are queued after the old ones.
    const e4 = second.store.write('todo', 'd', { v: 4 }).event;
    expect(second.todo.unacknowledged().map((e) => e.event._event_id)).toEqual([
      e1._event_id,
      e2._event_id,
      e4._event_id,
    ]);
  });
});
