import { describe, expect, it } from 'vitest';
import { settle, useTestClients } from '../testing/client-fixture.ts';
import { FakeSyncServer } from '../testing/fake-sync-server.ts';

const clients = useTestClients();

let counter = 0;
function write(server: FakeSyncServer, id: string, data: Record<string, unknown> | undefined): void {
  counter += 1;
  const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, counter)).toISOString();
  const base = { _event_id: `w-${counter}`, _created_at: createdAt, _data_id: id };
  server.append(
    'todo',
    data === undefined ? { ...base, _operation: 2 } : { ...base, _operation: 1, _data: data },
  );
}

/** Ten records written five times each, two of them deleted at the end. */
/** Catch-ups from a cursor: `request_events`, or the first `subscribe` of a repository with `afterSequence`. */
function catchUps(server: FakeSyncServer): Array<{ repository: string; afterSequence?: number | undefined }> {
  const connection = server.lastConnection;
  const subscribes = connection.sent('subscribe').filter((f) => f.afterSequence !== undefined);
  return [...subscribes, ...connection.sent('request_events')];
}

function history(server: FakeSyncServer): void {
  for (let round = 0; round < 5; round++) for (let i = 0; i < 10; i++) write(server, `r${i}`, { round, i });
  write(server, 'r3', undefined);
  write(server, 'r7', undefined);
}

describe('snapshots for a fresh client', () => {
  it('starts from the snapshot and reaches the state a replay reaches, then goes on live', async () => {
    const server = new FakeSyncServer();
    history(server);
    const replaying = await clients.live(server);
    const fresh = await clients.live(server, { snapshotThreshold: 4 });
    const connection = server.lastConnection;
    expect(connection.sent('request_snapshot').map((f) => [f.repository, f.minRatio])).toEqual([
      ['todo', 4],
      ['note', 4],
    ]);
    expect(connection.sent('request_events')).toEqual([]);
    expect(fresh.client.repository('todo').all()).toEqual(replaying.client.repository('todo').all());
    expect(fresh.client.repository('todo').get('r3')).toBeUndefined();
    expect(fresh.client.repository('todo').all()).toHaveLength(8);

    write(server, 'r3', { back: true });
    await settle();
    expect(fresh.client.repository('todo').get('r3')).toEqual({ back: true });
    expect(fresh.errors).toEqual([]);
  });

  it('replays when it holds a cursor already, or without a threshold', async () => {
    const server = new FakeSyncServer();
    history(server);
    const t = await clients.live(server, { snapshotThreshold: 4 });
    await t.client.stop();
    write(server, 'r1', { later: true });
    t.client.start();
    await t.client.whenLive();
    const todo = (f: { repository: string }) => f.repository === 'todo';
    expect(server.lastConnection.sent('request_snapshot').filter(todo)).toEqual([]);
    expect(catchUps(server)).toContainEqual(
      expect.objectContaining({ repository: 'todo', afterSequence: 52 }),
    );
    expect(t.client.repository('todo').get('r1')).toEqual({ later: true });
    await clients.live(server);
    expect(server.lastConnection.sent('request_snapshot')).toEqual([]);
    expect(catchUps(server).filter(todo)).toHaveLength(1);
  });

  it('drops a snapshot whose pages do not add up, and says so', async () => {
    const server = new FakeSyncServer();
    history(server);
    const t = await clients.live(server, { snapshotThreshold: 2 });
    const connection = server.lastConnection;
    connection.send({ type: 'snapshot_complete', repository: 'todo', sequence: 52, count: 3 });
    await settle();
    expect(t.errors).toContainEqual(expect.objectContaining({ kind: 'invalid_frame' }));
    expect(t.client.repository('todo').all()).toHaveLength(8);
  });

  it('falls back to a replay when a snapshot request fails', async () => {
    const server = new FakeSyncServer();
    history(server);
    const refused: string[] = [];
    server.onConnection = (connection) => {
      const receive = connection.receive.bind(connection);
      connection.receive = (data: string) => {
        const frame = JSON.parse(data) as { type: string; repository?: string };
        if (frame.type !== 'request_snapshot' || frame.repository === undefined) return receive(data);
        refused.push(frame.repository);
        const message = 'catch-up failed: temporarily unavailable';
        const error = { type: 'error', code: 'UNAVAILABLE', message, repository: frame.repository };
        connection.send({ ...error, retryAfterMs: 10 });
      };
    };
    const t = await clients.open(server, { snapshotThreshold: 2 });
    t.client.start();
    await settle();
    await t.clock.advance(10);
    await t.client.whenLive();
    expect(refused).toEqual(['todo', 'note']);
    expect(catchUps(server).map((f) => [f.repository, f.afterSequence])).toEqual([
      ['todo', 0],
      ['note', 0],
    ]);
    expect(t.client.repository('todo').all()).toHaveLength(8);
  });
});
