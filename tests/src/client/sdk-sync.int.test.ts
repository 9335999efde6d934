import { MemoryStorage } from '@lfsync/client';
import { JsonFileStorage } from '@lfsync/client/node';
import { uniqueName } from '@lfsync/testkit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { authedClient } from '../support.ts';
import { useStack } from '../use-stack.ts';
import { requestsOf, sdkClient, snapshot } from './sdk-fixture.ts';

const POLL = { timeout: 30_000, interval: 50 };

describe('client SDK against the real stack', () => {
  const stack = useStack({ gateways: 2 });

  /** The repository's stored log, read through a plain protocol client. */
  async function storedLog(repository: string): Promise<{ ids: string[]; sequences: number[] }> {
    const reader = await authedClient(stack(), 0, 'log-reader');
    try {
      const { events } = await reader.catchUp(repository, 0);
      return {
        ids: events.map((e) => String(e._event_id)),
        sequences: events.map((e) => Number(e.serverSequence)),
      };
    } finally {
      await reader.close();
    }
  }

  it('two clients on different gateways converge', async () => {
    const repo = uniqueName('todo');
    const alice = await sdkClient(stack(), { subject: 'alice', repositories: [repo], gateway: 0 });
    const bob = await sdkClient(stack(), { subject: 'bob', repositories: [repo], gateway: 1 });
    alice.client.start();
    bob.client.start();
    await Promise.all([alice.client.whenLive(), bob.client.whenLive()]);

    const writes: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(alice.client.repository(repo).upsert(`a${i}`, { by: 'alice', i }));
      writes.push(bob.client.repository(repo).upsert(`b${i}`, { by: 'bob', i }));
    }
    writes.push(alice.client.repository(repo).upsert('shared', { by: 'alice' }));
    writes.push(bob.client.repository(repo).upsert('shared', { by: 'bob' }));
    writes.push(bob.client.repository(repo).delete('a0'));
    await Promise.all(writes);
    await Promise.all([alice.client.flushed(), bob.client.flushed()]);

    await expect.poll(() => Object.keys(snapshot(alice.client, repo)).length, POLL).toBe(40);
    await expect.poll(() => snapshot(bob.client, repo), POLL).toEqual(snapshot(alice.client, repo));
    const log = await storedLog(repo);
    expect(log.sequences).toEqual(Array.from({ length: 43 }, (_, i) => i + 1));
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });

  it('a client offline for N events, writing meanwhile, reconnects and converges with no loss and no duplicate', async () => {
    const repo = uniqueName('todo');
    const online = await sdkClient(stack(), { subject: 'online', repositories: [repo], gateway: 0 });
    const offline = await sdkClient(stack(), { subject: 'offline', repositories: [repo], gateway: 1 });
    online.client.start();
    offline.client.start();
    await Promise.all([online.client.whenLive(), offline.client.whenLive()]);
    await offline.client.stop();

    const n = 150;
    for (let i = 0; i < n; i++) void online.client.repository(repo).upsert(`online-${i}`, { i });
    for (let i = 0; i < 30; i++) void offline.client.repository(repo).upsert(`offline-${i}`, { i });
    await online.client.flushed();
    expect(offline.client.pendingCount).toBe(30);

    const sentBefore = offline.sent.length;
    offline.client.start();
    await offline.client.whenLive();
    await offline.client.flushed();
    expect(requestsOf(offline.sent.slice(sentBefore), repo)[0]).toMatchObject({ afterSequence: 0 });

    await expect.poll(() => Object.keys(snapshot(online.client, repo)).length, POLL).toBe(n + 30);
    await expect.poll(() => snapshot(offline.client, repo), POLL).toEqual(snapshot(online.client, repo));
    const log = await storedLog(repo);
    expect(log.ids).toHaveLength(n + 30);
    expect(new Set(log.ids).size).toBe(n + 30);
    expect(log.sequences).toEqual(Array.from({ length: n + 30 }, (_, i) => i + 1));
  });

  it.each([
    [
      'memory storage',
      () =>
        Promise.resolve(
          (
            (storage: MemoryStorage) => () =>
              storage
          )(new MemoryStorage()),
        ),
    ],
    [
      'JSON file storage',
      async () => {
        const directory = await mkdtemp(join(tmpdir(), 'lfsync-sdk-'));
        onTestFinished(() => rm(directory, { recursive: true, force: true }));
        return () => new JsonFileStorage(join(directory, 'state.json'));
      },
    ],
  ])(
    'a client restarted from its persisted store (%s) resumes from its cursor',
    async (_name, makeStorage) => {
      const storageFor = await makeStorage();
      const repo = uniqueName('todo');
      const writer = await sdkClient(stack(), { subject: 'writer', repositories: [repo] });
      writer.client.start();
      for (let i = 0; i < 25; i++) void writer.client.repository(repo).upsert(`w${i}`, { i });
      await writer.client.flushed();

      const first = await sdkClient(stack(), {
        subject: 'reader',
        repositories: [repo],
        storage: storageFor(),
      });
      first.client.start();
      await first.client.whenLive();
      await expect.poll(() => Object.keys(snapshot(first.client, repo)).length, POLL).toBe(25);
      void first.client.repository(repo).upsert('written-before-restart', { queued: true });
      await first.client.stop();

      for (let i = 25; i < 40; i++) void writer.client.repository(repo).upsert(`w${i}`, { i });
      await writer.client.flushed();

      const second = await sdkClient(stack(), {
        subject: 'reader',
        repositories: [repo],
        storage: storageFor(),
      });
      expect(Object.keys(snapshot(second.client, repo))).toHaveLength(26);
      expect(second.client.pendingCount).toBe(1);
      second.client.start();
      await second.client.whenLive();
      await second.client.flushed();
      const [request] = requestsOf(second.sent, repo);
      expect(request?.['afterSequence']).toBeGreaterThanOrEqual(25);
      await expect.poll(() => Object.keys(snapshot(second.client, repo)).length, POLL).toBe(41);
      await expect.poll(() => snapshot(writer.client, repo), POLL).toEqual(snapshot(second.client, repo));
      // Only the events after the cursor came down again.
      expect((await storedLog(repo)).ids).toHaveLength(41);
    },
  );
});
