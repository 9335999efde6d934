import { storedEvents } from './support.ts';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { useStack } from './use-stack.ts';

function event(id: string, data: Record<string, unknown> = {}) {
  return { _event_id: id, _operation: 0, _created_at: new Date().toISOString(), _data: { id, ...data } };
}

describe('pipeline: two gateways, sequencer, persister', () => {
  const stack = useStack({ gateways: 2 });

  async function client(gateway: number, subject: string): Promise<WsTestClient> {
    const c = await WsTestClient.connect(stack().gatewayUrl(gateway));
    const reply = await c.auth(await stack().token(subject));
    expect(reply.type).toBe('auth_success');
    return c;
  }

  it('acks a push with its sequence once stored, and serves it on catch-up', async () => {
    const repo = uniqueName('r');
    const alice = await client(0, 'alice');
    alice.send({ type: 'push_event', repository: repo, event: event('e1') });
    const ack = await alice.waitForType('ack');
    expect(ack).toMatchObject({ eventIds: ['e1'], repositories: { [repo]: ['e1'] }, sequences: { e1: 1 } });
    const stored = await storedEvents(stack().db(), repo);
    expect(stored.map((d) => d['s'])).toEqual([1]);
    const reader = await client(1, 'bob');
    const { events, lastSequence } = await reader.catchUp(repo, 0);
    expect(events.map((e) => e._event_id)).toEqual(['e1']);
    expect(lastSequence).toBe(1);
    await Promise.all([alice.close(), reader.close()]);
  });

  it('delivers every event live to clients on both gateways, in order, once', async () => {
    const repo = uniqueName('r');
    const a = await client(0, 'a');
    const b = await client(1, 'b');
    await Promise.all([a.catchUp(repo), b.catchUp(repo)]);
    const total = 40;
    for (let i = 0; i < total; i += 2) {
      a.send({ type: 'push_event', repository: repo, event: event(`a${i}`) });
      b.send({ type: 'push_events_batch', repository: repo, events: [event(`b${i}`)] });
    }
    const sequencesOf = (c: WsTestClient) => c.eventsOf(repo).map((e) => e.serverSequence);
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    await expect.poll(() => sequencesOf(a), { timeout: 15_000 }).toEqual(expected);
    await expect.poll(() => sequencesOf(b), { timeout: 15_000 }).toEqual(expected);
    expect(new Set(a.eventsOf(repo).map((e) => e._event_id)).size).toBe(total);
    await Promise.all([a.close(), b.close()]);
  });

  it('answers a re-push of a stored event with its original sequence and stores nothing new', async () => {
    const repo = uniqueName('r');
    const c = await client(0, 'c');
    c.send({ type: 'push_events_batch', repository: repo, events: [event('x'), event('y')] });
    expect((await c.waitForType('ack')).sequences).toEqual({ x: 1, y: 2 });
    c.send({ type: 'push_events_batch', repository: repo, events: [event('y'), event('z'), event('x')] });
    expect((await c.waitForType('ack')).sequences).toEqual({ y: 2, z: 3, x: 1 });
    const stored = await storedEvents(stack().db(), repo);
    expect(stored.map((d) => [d['s'], d['e']])).toEqual([
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
    ]);
    await c.close();
  });
});
