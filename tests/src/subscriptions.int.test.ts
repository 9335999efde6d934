import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent } from './support.ts';

describe('subscriptions: two gateways, patterns, claims with {sub}, I6', () => {
  const stack = useStack({ gateways: 2, gatewayEnv: { MAX_SUBSCRIPTIONS_PER_SESSION: '3' } });

  async function client(gateway: number, subject: string, claim?: { read?: string[]; write?: string[] }) {
    const c = await authedClient(stack(), gateway, subject, claim);
    onTestFinished(() => c.close());
    return c;
  }

  async function push(writer: WsTestClient, repository: string, id: string) {
    writer.send({ type: 'push_event', repository, event: dartEvent(id) });
    await writer.waitForType('ack', (a) => a.eventIds.includes(id));
  }

  it('delivers only subscribed repositories (exact and pattern); a session that never subscribed gets all', async () => {
    const base = uniqueName('s');
    const [doc1, doc2, other] = [`${base}:doc:1`, `${base}:doc:2`, `${base}:other`];
    const subscriber = await client(1, 'sub');
    const legacy = await client(1, 'legacy');
    subscriber.send({ type: 'subscribe', repository: `${base}:doc:*` });
    expect(await subscriber.waitForType('subscribed')).toEqual({
      type: 'subscribed',
      repository: `${base}:doc:*`,
    });
    const writer = await client(0, 'writer');
    for (const [i, repository] of [doc1, other, doc2].entries()) await push(writer, repository, `e${i}`);
    await expect.poll(() => subscriber.eventsOf(doc2).length).toBe(1);
    await expect.poll(() => legacy.eventsOf(doc2).length).toBe(1);
    expect(subscriber.eventsOf(doc1).map((e) => e._event_id)).toEqual(['e0']);
    expect(subscriber.eventsOf(other)).toEqual([]);
    expect(legacy.eventsOf(other).map((e) => e._event_id)).toEqual(['e1']);

    subscriber.send({ type: 'unsubscribe', repository: `${base}:doc:*` });
    await subscriber.waitForType('unsubscribed');
    await push(writer, doc1, 'e3');
    await expect.poll(() => legacy.eventsOf(doc1).length).toBe(2);
    expect(subscriber.eventsOf(doc1).map((e) => e._event_id)).toEqual(['e0']);
  });

  it('grants user/{sub}/* to each user alone, over WebSocket and REST', async () => {
    const base = uniqueName('u');
    const claim = { read: [`${base}/{sub}/*`], write: [`${base}/{sub}/*`] };
    const alice = await client(0, 'alice', claim);
    alice.send({ type: 'subscribe', repository: `${base}/alice/*` });
    await alice.waitForType('subscribed');
    alice.send({ type: 'subscribe', repository: `${base}/bob/*` });
    expect(await alice.waitForType('error')).toMatchObject({
      code: 'FORBIDDEN',
      repository: `${base}/bob/*`,
    });
    await push(alice, `${base}/alice/todo`, 'mine');
    alice.send({ type: 'push_event', repository: `${base}/bob/todo`, event: dartEvent('theirs') });
    expect(await alice.waitForType('error')).toMatchObject({ code: 'FORBIDDEN', eventIds: ['theirs'] });
    await expect.poll(() => alice.eventsOf(`${base}/alice/todo`).length).toBe(1);

    const token = await stack().token('alice', claim);
    const get = (repository: string) =>
      fetch(`${stack().httpUrl(1)}/api/events/${encodeURIComponent(repository)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const own = await get(`${base}/alice/todo`);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { events: unknown[] }).events).toHaveLength(1);
    expect((await get(`${base}/bob/todo`)).status).toBe(403);
  });

  it('refuses a token whose claim holds an invalid pattern, when it is verified', async () => {
    const ws = await WsTestClient.connect(stack().gatewayUrl(0));
    const reply = await ws.auth(await stack().token('mallory', { read: ['a*b'] }));
    expect(reply).toMatchObject({ type: 'error', code: 'INVALID_TOKEN' });
    expect((reply as { message: string }).message).toContain('"a*b"');
    expect((await ws.closed).code).toBe(4401);
  });

  it('refuses bad subscriptions with a code each and changes nothing else', async () => {
    const base = uniqueName('b');
    const c = await client(0, 'bad', { read: [`${base}:*`] });
    const refused = async (frame: Record<string, unknown>, code: string) => {
      c.send({ type: 'subscribe', ...frame });
      expect(await c.waitForType('error'), JSON.stringify(frame)).toMatchObject({ code });
    };
    await refused({ repository: 'a*b' }, 'INVALID_REPOSITORY');
    await refused({ repository: '*' }, 'FORBIDDEN');
    await refused({ repository: `${base}:*`, afterSequence: 0 }, 'INVALID_MESSAGE');
    await refused({ repository: `${base}:*`, presence: {} }, 'INVALID_MESSAGE');
    await refused(
      { repository: `${base}:p`, presence: { meta: { blob: 'x'.repeat(2_000) } } },
      'PAYLOAD_TOO_LARGE',
    );
    c.send({ type: 'presence_update', repository: `${base}:p`, meta: {} });
    expect(await c.waitForType('error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    for (const n of [1, 2, 3]) {
      c.send({ type: 'subscribe', repository: `${base}:${n}` });
      await c.waitForType('subscribed', (f) => f.repository === `${base}:${n}`);
    }
    await refused({ repository: `${base}:4` }, 'TOO_MANY_SUBSCRIPTIONS');
    const writer = await client(1, 'writer');
    await push(writer, `${base}:4`, 'not-for-c');
    await push(writer, `${base}:3`, 'for-c');
    await expect.poll(() => c.eventsOf(`${base}:3`).length).toBe(1);
    expect(c.eventsOf(`${base}:4`)).toEqual([]);
    expect(c.frames.filter((f) => f.type === 'presence' || f.type === 'presence_diff')).toEqual([]);
  });

  it('I6: a subscription with afterSequence gets every later event once, in order, while commits race it', async () => {
    const repository = uniqueName('race');
    const writer = await client(0, 'writer');
    const total = 120;
    let pushed = 0;
    const writing = (async () => {
      for (let i = 1; i <= total; i++) {
        writer.send({ type: 'push_events_batch', repository, events: [dartEvent(`${repository}-${i}`)] });
        await writer.waitForType('ack', (a) => a.eventIds.includes(`${repository}-${i}`));
        pushed = i;
      }
    })();
    const readers: Array<{ reader: WsTestClient; after: number }> = [];
    for (const threshold of [5, 30, 60, 90]) {
      await expect.poll(() => pushed, { timeout: 60_000, interval: 5 }).toBeGreaterThanOrEqual(threshold);
      const reader = await client(readers.length % 2, `reader${threshold}`);
      const after = Math.max(0, pushed - 3);
      reader.send({ type: 'subscribe', repository, afterSequence: after });
      readers.push({ reader, after });
    }
    await writing;
    for (const { reader, after } of readers) {
      await expect
        .poll(() => reader.eventsOf(repository).at(-1)?.serverSequence, { timeout: 20_000 })
        .toBe(total);
      const expected = Array.from({ length: total - after }, (_, i) => after + 1 + i);
      // What the subscription delivered: the frames after `subscribed`. Before it, the session was an
      // implicit "everything" session (IMPLICIT_SUBSCRIPTION=all) and may have had racing commits live.
      const subscribedAt = reader.frames.findIndex(
        (f) => f.type === 'subscribed' && f.repository === repository,
      );
      expect(subscribedAt).toBeGreaterThanOrEqual(0);
      const delivered = reader.frames
        .slice(subscribedAt + 1)
        .flatMap((f) => (f.type === 'events' && f.repository === repository ? f.events : []));
      expect(delivered.map((e) => e.serverSequence)).toEqual(expected);
      expect(reader.frames.map((f) => f.type)).toContain('sync_complete');
    }
  }, 120_000);
});
