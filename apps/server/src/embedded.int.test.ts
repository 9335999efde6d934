import type { SequencedBatch } from '@lfsync/contracts';
import { LmdbSequenceLog } from '@lfsync/embedded';
import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStorage } from './embedded.ts';
import { devClient, devToken, event, startTestEmbedded, tempDir } from './testing/embedded-test-support.ts';

describe('startEmbedded', () => {
  it('feeds the admin dashboard from the in-process stats bus (on the public port without OPS_PORT)', async () => {
    const embedded = await startTestEmbedded(tempDir(), { STATS_INTERVAL_MS: '200' });
    const repo = uniqueName('r');
    const ws = await devClient(embedded);
    ws.send({ type: 'subscribe', repository: repo });
    await ws.waitForType('subscribed');
    ws.send({ type: 'push_events_batch', repository: repo, events: [event('a'), event('b'), event('c')] });
    await ws.waitForType('ack');
    const headers = { authorization: `Bearer ${await devToken(embedded)}` };
    type View = {
      totals: { sessions: number };
      repositories: Array<{ repository: string; head: number | null; subscribers: number }>;
      persisters: Array<{ instance: string; eventsStored: number; pending: number | null }>;
      sequencers: Array<{ instance: string }>;
    };
    await expect
      .poll(
        async () => {
          const res = await fetch(`http://127.0.0.1:${embedded.port}/admin/stats`, { headers });
          const view = (await res.json()) as View;
          return {
            sessions: view.totals.sessions,
            repository: view.repositories.find((r) => r.repository === repo),
            persisters: view.persisters.map((p) => [p.instance, p.eventsStored, p.pending]),
            sequencers: view.sequencers.map((s) => s.instance),
          };
        },
        { timeout: 10_000, interval: 100 },
      )
      .toEqual({
        sessions: 1,
        repository: {
          repository: repo,
          head: 3,
          eventsPerSec: expect.any(Number),
          subscribers: 1,
          presence: 0,
        },
        // The LMDB log has no consumer whose lag could be asked: unknown, not 0.
        persisters: [['embedded-persister', 3, null]],
        sequencers: ['embedded-sequencer'],
      });
  });

  it('reports ready while its storage is open, and frees its port on stop', async () => {
    const embedded = await startTestEmbedded(tempDir());
    const ready = await fetch(`http://127.0.0.1:${embedded.port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { storage: true } });
    await embedded.stop();
    await expect(fetch(`http://127.0.0.1:${embedded.port}/readyz`)).rejects.toThrow();
  });

  it('stores after a restart what reached the log but not the store, and re-pushes get its sequences', async () => {
    const dataDir = tempDir();
    const repo = uniqueName('r');
    // The crash point "sequencer appended, then everything died": in the log, not indexed, not stored.
    const storage = openEmbeddedStorage(dataDir);
    const logged: SequencedBatch = {
      repository: repo,
      fromSequence: 1,
      toSequence: 2,
      events: [
        { ...event('e1'), serverSequence: 1 },
        { ...event('e2'), serverSequence: 2 },
      ],
    };
    expect((await new LmdbSequenceLog(storage).append(logged, 0, 'crashed-append')).kind).toBe('appended');
    await storage.close();

    const embedded = await startTestEmbedded(dataDir);
    const reader = await devClient(embedded);
    await expect
      .poll(async () => (await reader.catchUp(repo, 0)).events.map((e) => [e._event_id, e.serverSequence]))
      .toEqual([
        ['e1', 1],
        ['e2', 2],
      ]);
    reader.send({ type: 'push_events_batch', repository: repo, events: [event('e2'), event('e3')] });
    expect((await reader.waitForType('ack')).sequences).toEqual({ e2: 2, e3: 3 });
  });
});
