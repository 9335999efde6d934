import { uniqueName, type WsTestClient } from '@lfsync/testkit';
import { describe, expect, it, onTestFailed } from 'vitest';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent, storedEvents } from './support.ts';

const CLIENTS = 50;
const PUSHES_PER_CLIENT = 12;

describe('concurrency: many clients, few repositories, two sequencers (I1, I2, I3)', () => {
  const stack = useStack({ gateways: 2, sequencers: 2 });

  it('stores exactly 1..N per repository, each event once, acks matching the store', async () => {
    // What the services logged explains a failure (e.g. an ack that never came).
    onTestFailed(() => {
      for (const line of stack().logs.lines.slice(-40)) console.error(JSON.stringify(line).slice(0, 400));
    });
    const repos = [uniqueName('ra'), uniqueName('rb'), uniqueName('rc')];
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => authedClient(stack(), i % 2, `u${i}`)),
    );

    // A reader that catches up over and over while the pushes run (and also receives live events): in the
    // order frames arrive, it must never get a sequence before every lower one of that repository (I3).
    const reader = await authedClient(stack(), 1, 'reader');
    let readingDone = false;
    const highest = new Map(repos.map((r) => [r, 0]));
    const reading = (async () => {
      while (!readingDone) {
        for (const repo of repos) {
          // Catch-ups served from the gateway's memory come back fast enough to hit the rate limit:
          // like any client, the reader waits as told and asks again.
          for (;;) {
            reader.send({ type: 'request_events', repository: repo, afterSequence: highest.get(repo) });
            const reply = await reader.waitFor(
              (f) =>
                (f.type === 'sync_complete' && f.repository === repo) ||
                (f.type === 'error' && f.code === 'RATE_LIMITED'),
              30_000,
            );
            if (reply.type !== 'error') break;
            await new Promise((resolve) => setTimeout(resolve, reply.retryAfterMs ?? 10));
          }
          for (const e of reader.eventsOf(repo))
            highest.set(repo, Math.max(highest.get(repo) ?? 0, e.serverSequence));
        }
      }
    })();

    const acked = new Map<string, Map<string, number>>(repos.map((r) => [r, new Map()]));
    const pushed = new Map<string, Set<string>>(repos.map((r) => [r, new Set()]));
    await Promise.all(
      clients.map(async (client: WsTestClient, c) => {
        for (let p = 0; p < PUSHES_PER_CLIENT; p++) {
          const repo = repos[(c + p) % repos.length] as string;
          const batch = p % 3 === 0;
          const ids = batch ? [`c${c}p${p}a`, `c${c}p${p}b`, `c${c}p${p}c`] : [`c${c}p${p}`];
          // Every fourth push re-sends an event this client already pushed to that repository.
          const earlier = [...(pushed.get(repo) ?? [])].find((id) => id.startsWith(`c${c}p`));
          const events = ids.map((id) => dartEvent(id, { c, p }));
          if (p % 4 === 3 && earlier !== undefined) events.push(dartEvent(earlier, { c, p }));
          for (const id of ids) pushed.get(repo)?.add(id);
          client.send(
            batch || events.length > 1
              ? { type: 'push_events_batch', repository: repo, events }
              : { type: 'push_event', repository: repo, event: events[0] },
          );
          const ack = await client
            .waitFor((f) => f.type === 'ack' || f.type === 'error', 30_000)
            .catch((err: unknown) => {
              throw new Error(`client ${c} got no answer to push ${p}: ${String(err).slice(0, 300)}`);
            });
          if (ack.type === 'error') throw new Error(`client ${c} push ${p} refused: ${JSON.stringify(ack)}`);
          for (const [id, seq] of Object.entries(ack.sequences)) {
            const previous = acked.get(repo)?.get(id);
            if (previous !== undefined) expect(seq).toBe(previous);
            acked.get(repo)?.set(id, seq);
          }
        }
      }),
    );
    readingDone = true;
    await reading;

    for (const repo of repos) {
      const stored = await storedEvents(stack().db(), repo);
      const sequences = stored.map((d) => d['s']);
      expect(sequences).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      const ids = stored.map((d) => d['e']);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(pushed.get(repo));
      for (const d of stored) expect(acked.get(repo)?.get(d['e'])).toBe(d['s']);
      let seen = 0;
      const violations: string[] = [];
      for (const e of reader.eventsOf(repo)) {
        const sequence = e.serverSequence;
        if (sequence > seen + 1) violations.push(`${sequence} before ${seen + 1}`);
        seen = Math.max(seen, sequence);
      }
      expect(violations).toEqual([]);
      // A fresh reader's full catch-up equals the store.
      const fresh = await authedClient(stack(), 0, 'fresh');
      const { events } = await fresh.catchUp(repo, 0);
      expect(events.map((e) => e._event_id)).toEqual(ids);
      await fresh.close();
    }
    await Promise.all([...clients, reader].map((c) => c.close()));
  });

  it('two sequencers racing on one repository still produce 1..N with each event once', async () => {
    const repo = uniqueName('race');
    const clients = await Promise.all(
      Array.from({ length: 10 }, (_, i) => authedClient(stack(), i % 2, `r${i}`)),
    );
    await Promise.all(
      clients.map(async (client, c) => {
        for (let p = 0; p < 10; p++) {
          // Every client also pushes the shared event ids: they race between the two sequencers.
          client.send({
            type: 'push_events_batch',
            repository: repo,
            events: [dartEvent(`own-${c}-${p}`), dartEvent(`shared-${p}`)],
          });
          const ack = await client.waitForType('ack', 30_000);
          expect(Object.keys(ack.sequences)).toHaveLength(2);
        }
      }),
    );
    const stored = await storedEvents(stack().db(), repo);
    expect(stored).toHaveLength(10 * 10 + 10);
    expect(stored.map((d) => d['s'])).toEqual(Array.from({ length: 110 }, (_, i) => i + 1));
    expect(new Set(stored.map((d) => d['e'])).size).toBe(110);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('answers a duplicate pushed long after the dedupe window from the durable index', async () => {
    const repo = uniqueName('late');
    const client = await authedClient(stack(), 0, 'late');
    client.send({ type: 'push_event', repository: repo, event: dartEvent('old') });
    expect((await client.waitForType('ack')).sequences).toEqual({ old: 1 });
    // Restarting both sequencers drops every in-memory state; the JetStream msg-id window is not what answers
    // because the re-push is part of a different batch (different append id).
    await stack().restartSequencer(0);
    await stack().restartSequencer(1);
    client.send({
      type: 'push_events_batch',
      repository: repo,
      events: [dartEvent('new'), dartEvent('old')],
    });
    expect((await client.waitForType('ack')).sequences).toEqual({ new: 2, old: 1 });
    const stored = await storedEvents(stack().db(), repo);
    expect(stored).toHaveLength(2);
    await client.close();
  });
});
