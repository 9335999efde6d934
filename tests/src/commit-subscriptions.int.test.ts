import { setTimeout as sleep } from 'node:timers/promises';
import { WsTestClient, uniqueName } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent } from './support.ts';

const LINGER_MS = 300;

/**
 * Gateways subscribe on NATS to the commits of the repositories their sessions use (no session here
 * receives everything: IMPLICIT_SUBSCRIPTION=none), so each subscribe below adds a NATS subscription.
 */
describe('commit subscriptions on NATS follow the sessions (two gateways)', () => {
  const stack = useStack({
    gateways: 2,
    gatewayEnv: { IMPLICIT_SUBSCRIPTION: 'none', COMMIT_SUBSCRIPTION_LINGER_MS: String(LINGER_MS) },
  });

  async function client(gateway: number, subject: string) {
    const c = await authedClient(stack(), gateway, subject);
    onTestFinished(() => c.close());
    return c;
  }

  async function push(writer: WsTestClient, repository: string, id: string) {
    writer.send({ type: 'push_event', repository, event: dartEvent(id) });
    await writer.waitForType('ack', (a) => a.eventIds.includes(id));
  }

  async function metric(gateway: number, name: string): Promise<number> {
    const text = await (await fetch(`${stack().httpUrl(gateway)}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  }

  /** Commit broadcasts the gateway was sent by NATS: those it took plus those it dropped undecoded. */
  async function commitsSentTo(gateway: number): Promise<number> {
    return (
      (await metric(gateway, 'gateway_commits_received_total')) +
      (await metric(gateway, 'gateway_commits_skipped_total'))
    );
  }

  it('sends a gateway none of the commits of a repository no session of it subscribed to', async () => {
    const base = uniqueName('n');
    const [mine, theirs] = [`${base}-mine`, `${base}-theirs`];
    const reader = await client(1, 'reader');
    reader.send({ type: 'subscribe', repository: mine });
    await reader.waitForType('subscribed');
    expect(await metric(1, 'gateway_commit_subscriptions')).toBe(1);
    const writer = await client(0, 'writer');
    const before = await commitsSentTo(1);
    for (let i = 0; i < 10; i++) await push(writer, theirs, `t${i}`);
    await push(writer, mine, 'm1');
    await expect.poll(() => reader.eventsOf(mine).length).toBe(1);
    expect(await commitsSentTo(1)).toBe(before + 1);

    // Once its last subscriber is gone and the linger has passed, not even that repository's.
    reader.send({ type: 'unsubscribe', repository: mine });
    await reader.waitForType('unsubscribed');
    await sleep(2 * LINGER_MS);
    expect(await metric(1, 'gateway_commit_subscriptions')).toBe(0);
    const after = await commitsSentTo(1);
    await push(writer, mine, 'm2');
    await sleep(200);
    expect(await commitsSentTo(1)).toBe(after);
    expect(reader.eventsOf(mine)).toHaveLength(1);
  });

  it('I5 across a new subscription: a subscribe racing commits gets each once, with no later commit to repair a gap', async () => {
    const writer = await client(0, 'writer');
    const readers = [await client(1, 'r1'), await client(1, 'r2')];
    const base = uniqueName('race');
    const repositories = Array.from({ length: 30 }, (_, i) => `${base}-${i}`);
    const jitter = () => sleep(Math.floor(Math.random() * 12));
    for (const repository of repositories) {
      await Promise.all([
        (async () => {
          await jitter();
          await push(writer, repository, `${repository}-1`);
          await push(writer, repository, `${repository}-2`);
        })(),
        ...readers.map(async (reader) => {
          await jitter();
          reader.send({ type: 'subscribe', repository, afterSequence: 0 });
        }),
      ]);
    }
    for (const reader of readers)
      for (const repository of repositories) {
        await expect
          .poll(() => reader.eventsOf(repository).length, { timeout: 10_000 })
          .toBeGreaterThanOrEqual(2);
        await sleep(20);
        expect(reader.eventsOf(repository).map((e) => e.serverSequence)).toEqual([1, 2]);
      }
  }, 120_000);

  it('a subscription that ends and comes back after its NATS subscription ended catches up completely', async () => {
    const repository = uniqueName('flap');
    const writer = await client(0, 'writer');
    const reader = await client(1, 'reader');
    let cursor = 0;
    let pushed = 0;
    for (let round = 0; round < 4; round++) {
      reader.send({ type: 'subscribe', repository, afterSequence: cursor });
      await reader.waitFor((f) => f.type === 'sync_complete' && f.repository === repository);
      for (let i = 0; i < 3; i++) await push(writer, repository, `${repository}-${++pushed}`);
      await expect.poll(() => reader.eventsOf(repository).at(-1)?.serverSequence).toBe(pushed);
      cursor = pushed;
      reader.send({ type: 'unsubscribe', repository });
      await reader.waitForType('unsubscribed');
      // Committed once gateway 1's NATS subscription ended: its recent events of the repository are stale.
      await sleep(2 * LINGER_MS);
      await push(writer, repository, `${repository}-${++pushed}`);
      await push(writer, repository, `${repository}-${++pushed}`);
      reader.frames.length = 0;
    }
    reader.send({ type: 'subscribe', repository, afterSequence: cursor });
    const done = await reader.waitFor((f) => f.type === 'sync_complete' && f.repository === repository);
    expect(done).toMatchObject({ lastSequence: pushed });
    const delivered = reader.frames.flatMap((f) =>
      f.type === 'events' && f.repository === repository ? f.events : [],
    );
    expect(delivered.map((e) => e.serverSequence)).toEqual(
      Array.from({ length: pushed - cursor }, (_, i) => cursor + 1 + i),
    );
  }, 60_000);
});

describe('commit subscriptions with sessions that never subscribe (IMPLICIT_SUBSCRIPTION=all)', () => {
  const stack = useStack({ gateways: 2 });

  async function commitsSentTo(gateway: number): Promise<number> {
    const text = await (await fetch(`${stack().httpUrl(gateway)}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    return value('gateway_commits_received_total') + value('gateway_commits_skipped_total');
  }

  let pushed = 0;
  async function pushAll(repository: string, count: number) {
    const writer = await authedClient(stack(), 0, 'writer');
    onTestFinished(() => writer.close());
    for (let i = 0; i < count; i++) {
      const id = `${repository}-${++pushed}`;
      writer.send({ type: 'push_event', repository, event: dartEvent(id) });
      await writer.waitForType('ack', (a) => a.eventIds.includes(id));
    }
  }

  it('a client that subscribes right behind its auth (as the SDK does) never has its gateway take every commit', async () => {
    const base = uniqueName('sdk');
    const client = await WsTestClient.connect(stack().gatewayUrl(1));
    onTestFinished(() => client.close());
    client.send({ type: 'auth', token: await stack().token('sdk') });
    client.send({ type: 'subscribe', repository: `${base}-mine` });
    await client.waitForType('subscribed');
    const before = await commitsSentTo(1);
    await pushAll(`${base}-theirs`, 5);
    await sleep(200);
    expect(await commitsSentTo(1)).toBe(before);

    // A session that never subscribes receives everything: then the gateway is sent every commit.
    const legacy = await authedClient(stack(), 1, 'legacy');
    onTestFinished(() => legacy.close());
    await sleep(100);
    await pushAll(`${base}-theirs`, 2);
    await expect.poll(() => legacy.eventsOf(`${base}-theirs`).length).toBe(2);
    expect(await commitsSentTo(1)).toBe(before + 2);
  });
});
