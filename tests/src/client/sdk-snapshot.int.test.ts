import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { useStack } from '../use-stack.ts';
import { sdkClient, snapshot } from './sdk-fixture.ts';

const POLL = { timeout: 30_000, interval: 50 };

describe('client SDK: a fresh client starts from a snapshot', () => {
  const stack = useStack({ gateways: 2 });

  it('reaches the writers’ state from the snapshot, then follows live writes with nothing missing or twice', async () => {
    const repo = uniqueName('todo');
    const writer = await sdkClient(stack(), { subject: 'writer', repositories: [repo], gateway: 0 });
    writer.client.start();
    await writer.client.whenLive();
    const todos = writer.client.repository(repo);
    for (let round = 0; round < 6; round++)
      for (let i = 0; i < 25; i++) void todos.upsert(`t${i}`, { round, i });
    for (let i = 0; i < 25; i += 5) void todos.delete(`t${i}`);
    await writer.client.flushed();

    const fresh = await sdkClient(stack(), {
      subject: 'fresh',
      repositories: [repo],
      gateway: 1,
      snapshotThreshold: 3,
    });
    fresh.client.start();
    // Writes keep coming while the fresh client starts: they must show up once, after the snapshot.
    const racing = Array.from({ length: 10 }, (_, i) => todos.upsert(`late${i}`, { i }));
    await fresh.client.whenLive();
    await Promise.all(racing);
    await writer.client.flushed();

    expect(fresh.sent.filter((f) => f.type === 'request_snapshot')).toEqual([
      expect.objectContaining({ repository: repo, minRatio: 3 }),
    ]);
    expect(fresh.sent.filter((f) => f.type === 'request_events')).toEqual([]);
    await expect.poll(() => snapshot(fresh.client, repo), POLL).toEqual(snapshot(writer.client, repo));
    expect(Object.keys(snapshot(fresh.client, repo))).toHaveLength(30);

    await todos.upsert('t1', { after: true });
    await writer.client.flushed();
    await expect.poll(() => fresh.client.repository(repo).get('t1'), POLL).toEqual({ after: true });

    const replaying = await sdkClient(stack(), { subject: 'replay', repositories: [repo], gateway: 0 });
    replaying.client.start();
    await replaying.client.whenLive();
    expect(snapshot(replaying.client, repo)).toEqual(snapshot(fresh.client, repo));
    expect([...writer.errors, ...fresh.errors, ...replaying.errors]).toEqual([]);
  });
});
