import type { AckMessage, ErrorMessage } from '@lfsync/contracts';
import { WsTestClient, type ServerProcess } from '@lfsync/testkit';
import { dartEvent, storedEvents } from './support.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReliablePusher } from './chaos/reliable-pusher.ts';
import { startProcessStack, type ProcessStack } from './process-stack.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ready(url: string): Promise<number> {
  return fetch(`${url}/readyz`, { signal: AbortSignal.timeout(8_000) }).then(
    (r) => r.status,
    () => 0,
  );
}

describe('graceful operations (every service in its own process)', () => {
  let stack: ProcessStack;
  beforeAll(async () => {
    stack = await startProcessStack({ gateways: 2 });
  }, 120_000);
  afterAll(() => stack.stop(), 60_000);

  it('SIGTERM drains a gateway: sessions get close 1001 and carry on through the other gateway', async () => {
    const client = await WsTestClient.connect(stack.gatewayUrl(0));
    expect((await client.auth(await stack.token('drain'))).type).toBe('auth_success');
    const closed = client.closed;
    await stack.gateways[0]?.stop();
    expect((await closed).code).toBe(1001);
    const other = await WsTestClient.connect(stack.gatewayUrl(1));
    expect((await other.auth(await stack.token('drain'))).type).toBe('auth_success');
    await other.close();
    await stack.gateways[0]?.start();
  });

  it('a rolling restart of every gateway under load loses no acked event', async () => {
    const urls = [stack.gatewayUrl(0), stack.gatewayUrl(1)];
    const pushers = await Promise.all(
      [0, 1, 2, 3].map(async (i) => new ReliablePusher(urls, await stack.token(`roll${i}`), i)),
    );
    for (const p of pushers) p.start();
    let n = 0;
    const pushing = setInterval(() => {
      for (const [i, p] of pushers.entries()) p.push(`rolling${i % 2}`, [`roll-${i}-${n++}`]);
    }, 50);
    for (const gateway of stack.gateways) {
      await sleep(1_000);
      await gateway.stop();
      await sleep(300);
      await gateway.start();
    }
    await sleep(1_000);
    clearInterval(pushing);
    await expect
      .poll(() => pushers.every((p) => p.unacked.length === 0), { timeout: 30_000, interval: 500 })
      .toBe(true);
    const records = pushers.flatMap((p) => [...p.records.values()]);
    for (const repository of ['rolling0', 'rolling1']) {
      const stored = await storedEvents(stack.db(), repository);
      expect(stored.map((d) => d['s'])).toEqual(stored.map((_, i) => i + 1));
      const expected = records.filter((r) => r.repository === repository);
      expect(stored).toHaveLength(expected.length);
      const bySequence = new Map(stored.map((d) => [d['e'], d['s']]));
      for (const record of expected) expect(bySequence.get(record.eventId)).toBe(record.sequence);
    }
    for (const p of pushers) p.stop();
    expect(records.length).toBeGreaterThan(50);
  }, 120_000);

  it('services started while NATS and the database are down come up once they are back', async () => {
    await stack.nats?.process.kill('SIGKILL');
    await stack.mongo?.process.kill('SIGKILL');
    await stack.sequencers[0]?.kill('SIGKILL');
    await stack.persisters[0]?.kill('SIGKILL');
    const starting = Promise.all([stack.sequencers[0]?.start(), stack.persisters[0]?.start()]);
    await sleep(1_500);
    await stack.nats?.process.start();
    await stack.mongo?.process.start();
    await starting;
    const client = await WsTestClient.connect(stack.gatewayUrl(0));
    await client.auth(await stack.token('late-start'));
    // Like any client, it pushes again when told to retry (the services may still be reconnecting).
    const deadline = Date.now() + 60_000;
    let reply: AckMessage | ErrorMessage;
    do {
      client.send({
        type: 'push_event',
        repository: 'late_start',
        event: { _event_id: 'y', _operation: 0, _created_at: 0, _data: {} },
      });
      reply = await client.waitFor((f) => f.type === 'ack' || f.type === 'error', 30_000);
      if (reply.type === 'error') await sleep(500);
    } while (reply.type === 'error' && Date.now() < deadline);
    expect(reply).toMatchObject({ type: 'ack', eventIds: ['y'] });
    await client.close();
  }, 120_000);

  it('/readyz goes false while NATS or the database is down and recovers by itself', async () => {
    const gateway = stack.httpUrl(1);
    const opsUrl = (p: { port: number }) => `http://127.0.0.1:${p.port}`;
    const persister = stack.persisters[0] as { port: number };
    expect(await ready(gateway)).toBe(200);

    await stack.nats?.process.kill('SIGKILL');
    await expect.poll(() => ready(gateway), { timeout: 20_000, interval: 250 }).toBe(503);
    await expect.poll(() => ready(opsUrl(persister)), { timeout: 20_000, interval: 250 }).toBe(503);
    await stack.nats?.process.start();
    await expect.poll(() => ready(gateway), { timeout: 30_000, interval: 250 }).toBe(200);
    await expect.poll(() => ready(opsUrl(persister)), { timeout: 30_000, interval: 250 }).toBe(200);

    await stack.mongo?.process.kill('SIGKILL');
    await expect.poll(() => ready(gateway), { timeout: 30_000, interval: 500 }).toBe(503);
    await stack.mongo?.process.start();
    await expect.poll(() => ready(gateway), { timeout: 30_000, interval: 500 }).toBe(200);

    // And the pipeline works again end to end.
    const client = await WsTestClient.connect(stack.gatewayUrl(1));
    await client.auth(await stack.token('after'));
    client.send({
      type: 'push_event',
      repository: 'after_outage',
      event: { _event_id: 'x', _operation: 0, _created_at: 0, _data: {} },
    });
    expect(await client.waitForType('ack', 30_000)).toMatchObject({ eventIds: ['x'] });
    await client.close();
  }, 180_000);

  it('a persister killed mid-write holds nothing up for the log ack wait (30 s): its successor reads the missing batch from the log', async () => {
    const mongo = (stack.mongo as { process: ServerProcess }).process;
    const persister = stack.persisters[0] as ServerProcess;
    const client = await WsTestClient.connect(stack.gatewayUrl(0));
    expect((await client.auth(await stack.token('recover'))).type).toBe('auth_success');
    const repository = 'recover';
    const push = (ids: string[]) =>
      client.send({ type: 'push_events_batch', repository, events: ids.map((id) => dartEvent(id)) });
    const ackOf = (id: string, timeoutMs: number) =>
      client.waitForType('ack', (f) => f.eventIds.includes(id), timeoutMs);

    push(['a']);
    await ackOf('a', 10_000);
    mongo.pause();
    push(['b1', 'b2']); // delivered to the persister, whose write hangs
    await sleep(1_000);
    await persister.kill('SIGKILL');
    mongo.resume();
    await persister.start();

    const started = Date.now();
    push(['c']);
    await ackOf('c', 12_000);
    expect(Date.now() - started).toBeLessThan(12_000);
    const stored = await storedEvents(stack.db(), repository);
    expect(stored.map((d) => [d['s'], d['e']])).toEqual([
      [1, 'a'],
      [2, 'b1'],
      [3, 'b2'],
      [4, 'c'],
    ]);
    await client.close();
  }, 60_000);
});
