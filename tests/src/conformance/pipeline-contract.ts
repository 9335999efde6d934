import type { ServerEvent } from '@lfsync/contracts';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { signTestToken } from '../tokens.ts';
import { clientEvent } from './events.ts';
import type { OpenPipeline, RunningPipeline } from './harness.ts';

async function client(pipeline: RunningPipeline, subject: string): Promise<WsTestClient> {
  const ws = await WsTestClient.connect(pipeline.url);
  onTestFinished(() => ws.close());
  expect((await ws.auth(await signTestToken(subject))).type).toBe('auth_success');
  return ws;
}

const idsAndSequences = (events: readonly ServerEvent[]) =>
  events.map((e) => [e._event_id, e.serverSequence]);

/**
 * The whole write and read path on one adapter set: sequencer service, log, index, persister, store and
 * commit broadcast behind a real gateway, seen through the WebSocket protocol.
 */
export function describePipelineContract(name: string, open: OpenPipeline): void {
  describe(`pipeline contract: ${name}`, () => {
    it('acks a push once durable, broadcasts it live and serves it on catch-up', async () => {
      const running = await (await open()).start();
      onTestFinished(() => running.stop());
      const repo = uniqueName('r');
      const alice = await client(running, 'alice');
      const bob = await client(running, 'bob');
      await bob.catchUp(repo);
      alice.send({
        type: 'push_events_batch',
        repository: repo,
        events: [clientEvent('a1'), clientEvent('a2')],
      });
      expect((await alice.waitForType('ack')).sequences).toEqual({ a1: 1, a2: 2 });
      await expect
        .poll(() => idsAndSequences(bob.eventsOf(repo)))
        .toEqual([
          ['a1', 1],
          ['a2', 2],
        ]);
      const carol = await client(running, 'carol');
      const { events, lastSequence } = await carol.catchUp(repo, 1);
      expect(idsAndSequences(events)).toEqual([['a2', 2]]);
      expect(lastSequence).toBe(2);
    });

    it('answers a re-push with the original sequences and stores nothing new', async () => {
      const running = await (await open()).start();
      onTestFinished(() => running.stop());
      const repo = uniqueName('r');
      const pusher = await client(running, 'pusher');
      pusher.send({
        type: 'push_events_batch',
        repository: repo,
        events: [clientEvent('x'), clientEvent('y')],
      });
      expect((await pusher.waitForType('ack')).sequences).toEqual({ x: 1, y: 2 });
      const again = [clientEvent('y'), clientEvent('z'), clientEvent('x')];
      pusher.send({ type: 'push_events_batch', repository: repo, events: again });
      expect((await pusher.waitForType('ack')).sequences).toEqual({ y: 2, z: 3, x: 1 });
      const reader = await client(running, 'reader');
      expect(idsAndSequences((await reader.catchUp(repo, 0)).events)).toEqual([
        ['x', 1],
        ['y', 2],
        ['z', 3],
      ]);
    });

    it('gives concurrent pushers gapless sequences and every reader every event in order, once', async () => {
      const running = await (await open()).start();
      onTestFinished(() => running.stop());
      const repo = uniqueName('r');
      const [a, b] = [await client(running, 'a'), await client(running, 'b')];
      await Promise.all([a.catchUp(repo), b.catchUp(repo)]);
      const total = 30;
      for (let i = 0; i < total; i += 2) {
        a.send({ type: 'push_event', repository: repo, event: clientEvent(`a${i}`) });
        b.send({ type: 'push_events_batch', repository: repo, events: [clientEvent(`b${i}`)] });
      }
      const expected = Array.from({ length: total }, (_, i) => i + 1);
      for (const reader of [a, b]) {
        await expect
          .poll(() => reader.eventsOf(repo).map((e) => e.serverSequence), { timeout: 15_000 })
          .toEqual(expected);
        expect(new Set(reader.eventsOf(repo).map((e) => e._event_id)).size).toBe(total);
      }
    });

    it('keeps events, sequences and event ids across a restart', async () => {
      const pipeline = await open();
      let running = await pipeline.start();
      onTestFinished(() => running.stop());
      const repo = uniqueName('r');
      const before = await client(running, 'before');
      before.send({
        type: 'push_events_batch',
        repository: repo,
        events: [clientEvent('e1'), clientEvent('e2')],
      });
      expect((await before.waitForType('ack')).sequences).toEqual({ e1: 1, e2: 2 });
      await before.close();
      await running.stop();

      running = await pipeline.start();
      const after = await client(running, 'after');
      expect(idsAndSequences((await after.catchUp(repo, 0)).events)).toEqual([
        ['e1', 1],
        ['e2', 2],
      ]);
      after.send({
        type: 'push_events_batch',
        repository: repo,
        events: [clientEvent('e2'), clientEvent('e3')],
      });
      expect((await after.waitForType('ack')).sequences).toEqual({ e2: 2, e3: 3 });
      await expect.poll(() => idsAndSequences(after.eventsOf(repo)).at(-1)).toEqual(['e3', 3]);
    });
  });
}
