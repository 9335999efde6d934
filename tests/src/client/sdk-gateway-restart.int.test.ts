import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { authedClient } from '../support.ts';
import { useStack } from '../use-stack.ts';
import { sdkClient, snapshot } from './sdk-fixture.ts';

const POLL = { timeout: 45_000, interval: 50 };

describe('client SDK across service restarts', () => {
  const stack = useStack({ gateways: 2 });

  it('clients recover by themselves when their gateway stops and comes back mid-stream', async () => {
    const repo = uniqueName('todo');
    const writer = await sdkClient(stack(), { subject: 'writer', repositories: [repo], gateway: 0 });
    const reader = await sdkClient(stack(), { subject: 'reader', repositories: [repo], gateway: 0 });
    const bystander = await sdkClient(stack(), { subject: 'bystander', repositories: [repo], gateway: 1 });
    for (const c of [writer, reader, bystander]) c.client.start();
    await Promise.all([writer.client.whenLive(), reader.client.whenLive(), bystander.client.whenLive()]);

    const total = 120;
    const offlineSeen: string[] = [];
    writer.client.onStateChange((s) => {
      if (s.status === 'offline') offlineSeen.push(s.reason);
    });
    for (let i = 0; i < total; i++) {
      void writer.client.repository(repo).upsert(`e${i}`, { i });
      if (i === 40) {
        // Mid-stream: the gateway of writer and reader goes away while writes continue locally.
        await stack().stopGateway(0);
      }
      if (i === 80) await stack().startGateway(0);
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.client.flushed();
    await expect.poll(() => Object.keys(snapshot(reader.client, repo)).length, POLL).toBe(total);
    await expect.poll(() => Object.keys(snapshot(bystander.client, repo)).length, POLL).toBe(total);
    expect(snapshot(reader.client, repo)).toEqual(snapshot(writer.client, repo));
    expect(snapshot(bystander.client, repo)).toEqual(snapshot(writer.client, repo));
    expect(offlineSeen.length).toBeGreaterThan(0);

    const checker = await authedClient(stack(), 1, 'checker');
    const { events } = await checker.catchUp(repo, 0);
    await checker.close();
    expect(events.map((e) => e.serverSequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e._event_id)).size).toBe(total);
  });

  it('pending pushes survive a persister and a sequencer restart', async () => {
    const repo = uniqueName('todo');
    const writer = await sdkClient(stack(), { subject: 'writer', repositories: [repo], gateway: 1 });
    const reader = await sdkClient(stack(), { subject: 'reader', repositories: [repo], gateway: 0 });
    writer.client.start();
    reader.client.start();
    await Promise.all([writer.client.whenLive(), reader.client.whenLive()]);
    for (let i = 0; i < 30; i++) void writer.client.repository(repo).upsert(`p${i}`, { i });
    await Promise.all([stack().restartPersister(0), stack().restartSequencer(0)]);
    for (let i = 30; i < 60; i++) void writer.client.repository(repo).upsert(`p${i}`, { i });
    await writer.client.flushed();
    await expect.poll(() => Object.keys(snapshot(reader.client, repo)).length, POLL).toBe(60);
    expect(snapshot(reader.client, repo)).toEqual(snapshot(writer.client, repo));
  });
});
