import { describe, expect, it } from 'vitest';
import { settle, useTestClients } from '../testing/client-fixture.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { FakeSyncServer } from '../testing/fake-sync-server.ts';

const clients = useTestClients();

let counter = 0;
const event = (id: string, data: Record<string, unknown>, createdAt = '2025-01-01T00:00:00.000Z') => ({
  _event_id: `remote-${++counter}`,
  _operation: 1,
  _created_at: createdAt,
  _data_id: id,
  _data: data,
});

interface Todo {
  title: string;
}

/** `now()` can read ahead of the time the timers run on, as the wall clock may of a monotonic one. */
class SteppedClock extends FakeClock {
  aheadMs = 0;

  override now(): number {
    return super.now() + this.aheadMs;
  }
}

describe('live events', () => {
  it('applies broadcasts in order and ignores duplicates', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    server.append('todo', event('a', { title: 'one' }));
    server.append('todo', event('a', { title: 'two' }, '2025-01-01T00:00:01.000Z'));
    await settle();
    const stale = server.events('todo')[0];
    server.lastConnection.send({ type: 'events', repository: 'todo', events: [stale] });
    await settle();
    expect(t.client.repository<Todo>('todo').get('a')).toEqual({ title: 'two' });
    expect(server.lastConnection.catchUps()).toHaveLength(2);
  });

  it('a jump in sequence triggers request_events from the cursor instead of applying the later events', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    const todo = t.client.repository<Todo>('todo');
    server.append('todo', event('a', { title: 'a' }));
    await settle();
    const connection = server.lastConnection;
    connection.dropBroadcasts = true;
    server.append('todo', event('b', { title: 'missed' }));
    connection.dropBroadcasts = false;
    // Hold the catch-up answer back to see that sequence 3 alone is not applied.
    connection.silent = true;
    server.append('todo', event('c', { title: 'after the gap' }));
    connection.silent = false;
    connection.send({ type: 'events', repository: 'todo', events: [server.events('todo')[2]] });
    connection.silent = true;
    await settle();
    expect(todo.get('c')).toBeUndefined();
    expect(connection.sent('request_events').at(-1)).toEqual({
      type: 'request_events',
      repository: 'todo',
      afterSequence: 1,
    });
    connection.silent = false;
    connection.send({ type: 'events', repository: 'todo', events: server.events('todo').slice(1) });
    connection.send({ type: 'sync_complete', repository: 'todo', lastSequence: 3 });
    await settle();
    expect(todo.all().map((e) => e.data.title)).toEqual(['a', 'missed', 'after the gap']);
    expect(t.client.state.status).toBe('live');
  });

  it('ignores broadcasts of repositories the app does not use', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    server.append('elsewhere', event('x', { v: 1 }));
    await settle();
    expect(t.errors).toEqual([]);
  });

  it('reports frames that are not JSON or not protocol messages, and carries on', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    server.lastConnection.sendRaw('not json');
    server.lastConnection.send({ type: 'events', repository: 'todo', events: [{ serverSequence: 'one' }] });
    server.append('todo', event('a', { title: 'fine' }));
    await settle();
    expect(t.errors.map((e) => e.kind)).toEqual(['invalid_frame', 'invalid_frame']);
    expect(t.client.repository<Todo>('todo').get('a')).toEqual({ title: 'fine' });
  });
});

describe('pushing and acks', () => {
  it('pushes writes made while live; the ack empties the queue', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    const counts: number[] = [];
    t.client.onPendingCountChange((n) => counts.push(n));
    const todo = t.client.repository<Todo>('todo');
    const writes = [todo.upsert('a', { title: 'a' }), todo.upsert('b', { title: 'b' }), todo.delete('a')];
    expect(t.client.pendingCount).toBe(3);
    await Promise.all(writes);
    await t.client.flushed();
    expect(server.lastConnection.sent('push_events_batch')).toHaveLength(1);
    expect(server.events('todo').map((e) => e._operation)).toEqual([0, 0, 2]);
    expect(counts).toEqual([1, 2, 3, 0]);
    expect(todo.all().map((e) => e.id)).toEqual(['b']);
  });

  it('sends in bounded batches with a bound on unacknowledged events', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server, { push: { batchSize: 3, maxInFlightEvents: 5 } });
    const todo = t.client.repository<Todo>('todo');
    for (let i = 0; i < 11; i++) void todo.upsert(`r${i}`, { title: String(i) });
    server.onConnection = (c) => {
      c.holdAcks = true;
      c.dropBroadcasts = true;
    };
    t.client.start();
    await t.client.whenLive();
    await settle();
    const connection = server.lastConnection;
    // Acks are held: only the first five events may be in flight.
    expect(connection.sent('push_events_batch').map((f) => f.events.length)).toEqual([3, 2]);
    connection.releaseAcks();
    await t.client.flushed();
    expect(connection.sent('push_events_batch').map((f) => f.events.length)).toEqual([3, 2, 3, 2, 1]);
    expect(server.events('todo')).toHaveLength(11);
  });

  it('an event stored but never acknowledged is confirmed by the catch-up after a reconnect, not duplicated', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    // The server stores the event, but neither its ack nor its echo reaches the client.
    server.lastConnection.holdAcks = true;
    server.lastConnection.dropBroadcasts = true;
    await t.client.repository<Todo>('todo').upsert('a', { title: 'a' });
    await settle();
    expect(server.events('todo')).toHaveLength(1);
    expect(t.client.pendingCount).toBe(1);
    server.dropAll();
    await settle();
    await t.clock.advance(1_000);
    await t.client.whenLive();
    await t.client.flushed();
    expect(server.events('todo')).toHaveLength(1);
    expect(t.client.repository<Todo>('todo').get('a')).toEqual({ title: 'a' });
  });

  it('an event the server never got is sent again after a reconnect, with the same id', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server);
    // The push is lost on the way: the server records the frame but does not handle it.
    server.lastConnection.silent = true;
    await t.client.repository<Todo>('todo').upsert('a', { title: 'a' });
    await settle();
    expect(server.events('todo')).toHaveLength(0);
    server.lastConnection.silent = false;
    server.dropAll();
    await settle();
    await t.clock.advance(1_000);
    await t.client.whenLive();
    await t.client.flushed();
    const [lost, resent] = server.connections.map((c) => c.sent('push_events_batch')[0]?.events[0]);
    expect(resent).toEqual(lost);
    expect(server.events('todo')).toHaveLength(1);
  });

  it('re-sends after the ack timeout on a connection that stays up', async () => {
    const server = new FakeSyncServer();
    const t = await clients.live(server, {
      push: { ackTimeoutMs: 5_000 },
      heartbeat: { intervalMs: 60_000, timeoutMs: 1_000 },
    });
    const connection = server.lastConnection;
    connection.holdAcks = true;
    connection.dropBroadcasts = true;
    await t.client.repository<Todo>('todo').upsert('a', { title: 'a' });
    await settle();
    connection.heldAcks.splice(0);
    connection.holdAcks = false;
    await t.clock.advance(5_000);
    await t.client.flushed();
    expect(connection.sent('push_events_batch')).toHaveLength(2);
  });
});

describe('server errors', () => {
  it('a non-retryable refusal drops exactly those events, reports them and restores the view', async () => {
    const server = new FakeSyncServer();
    server.refuse = (_repository, e) => (e._data_id === 'bad' ? { code: 'FORBIDDEN' } : undefined);
    const t = await clients.live(server);
    const todo = t.client.repository<Todo>('todo');
    await todo.upsert('good', { title: 'ok' });
    await todo.upsert('bad', { title: 'nope' });
    expect(todo.get('bad')).toEqual({ title: 'nope' });
    await t.client.flushed();
    expect(todo.get('bad')).toBeUndefined();
    expect(todo.get('good')).toEqual({ title: 'ok' });
    expect(t.errors).toEqual([
      expect.objectContaining({ kind: 'server_error', code: 'FORBIDDEN', retryable: false }),
      expect.objectContaining({
        kind: 'events_rejected',
        code: 'FORBIDDEN',
        repository: 'todo',
        events: [expect.objectContaining({ _data_id: 'bad' })],
      }),
    ]);
  });

  it('a retryable refusal keeps the events and sends them again after retryAfterMs', async () => {
    const server = new FakeSyncServer();
    let refusals = 0;
    server.refuse = () => (refusals++ === 0 ? { code: 'RATE_LIMITED', retryAfterMs: 2_000 } : undefined);
    const t = await clients.live(server, { heartbeat: { intervalMs: 60_000, timeoutMs: 1_000 } });
    await t.client.repository<Todo>('todo').upsert('a', { title: 'a' });
    await settle();
    expect(t.client.pendingCount).toBe(1);
    expect(t.errors).toEqual([
      expect.objectContaining({
        kind: 'server_error',
        code: 'RATE_LIMITED',
        retryable: true,
        retryAfterMs: 2_000,
      }),
    ]);
    await t.clock.advance(1_999);
    await settle();
    expect(server.lastConnection.sent('push_events_batch')).toHaveLength(1);
    await t.clock.advance(1);
    await t.client.flushed();
    expect(server.lastConnection.sent('push_events_batch')).toHaveLength(2);
    expect(server.events('todo')).toHaveLength(1);
  });

  it('sends refused events again when the retry timer fires, even if the clock then reads a little earlier', async () => {
    // Node runs timers on a monotonic clock and Date.now() reads the wall clock: the timer that ends a
    // retryAfterMs may fire while now() is still short of its end (and the wall clock may be set back).
    const clock = new SteppedClock();
    const server = new FakeSyncServer();
    let refusals = 0;
    server.refuse = () => (refusals++ === 0 ? { code: 'UNAVAILABLE', retryAfterMs: 1_000 } : undefined);
    const t = await clients.live(server, { clock, heartbeat: { intervalMs: 60_000, timeoutMs: 1_000 } });
    clock.aheadMs = 2;
    await t.client.repository<Todo>('todo').upsert('a', { title: 'a' });
    await settle();
    expect(t.errors).toEqual([expect.objectContaining({ code: 'UNAVAILABLE', retryAfterMs: 1_000 })]);
    clock.aheadMs = 0;
    await clock.advance(1_000);
    await settle();
    expect(server.lastConnection.sent('push_events_batch')).toHaveLength(2);
    await t.client.flushed();
    expect(server.events('todo')).toHaveLength(1);
  });

  it('halves the batch size when the server says a batch is too large', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server, { push: { batchSize: 8 } });
    const todo = t.client.repository<Todo>('todo');
    for (let i = 0; i < 8; i++) void todo.upsert(`r${i}`, { title: String(i) });
    t.client.start();
    await settle();
    expect(t.client.state.status).toBe('live');
    const connection = server.lastConnection;
    expect(connection.sent('push_events_batch').map((f) => f.events.length)).toEqual([8]);
    await t.client.flushed();
    // A second round: refuse the first batch as a whole.
    for (let i = 8; i < 16; i++) void todo.upsert(`r${i}`, { title: String(i) });
    connection.silent = true;
    await settle();
    const refused = connection.sent('push_events_batch').at(-1);
    connection.silent = false;
    connection.send({
      type: 'error',
      code: 'BATCH_TOO_LARGE',
      message: 'too many events',
      repository: 'todo',
    });
    await t.client.flushed();
    expect(refused?.events).toHaveLength(8);
    expect(connection.sent('push_events_batch').map((f) => f.events.length)).toEqual([8, 8, 4, 4]);
    expect(server.events('todo')).toHaveLength(16);
    expect(t.errors).toEqual([expect.objectContaining({ kind: 'server_error', code: 'BATCH_TOO_LARGE' })]);
  });

  it('a refused catch-up (FORBIDDEN for a repository) is reported and the others still go live', async () => {
    const server = new FakeSyncServer();
    const t = await clients.open(server);
    t.client.start();
    await settle();
    expect(t.client.state.status).toBe('live');
    // Simulate a server that refuses `note` for this session on the next connect.
    const connection = server.lastConnection;
    connection.send({ type: 'error', code: 'FORBIDDEN', message: 'no read access', repository: 'note' });
    await settle();
    expect(t.client.state.status).toBe('live');
    expect(t.errors).toEqual([
      expect.objectContaining({ kind: 'server_error', code: 'FORBIDDEN', repository: 'note' }),
    ]);
  });
});
