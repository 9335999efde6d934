import { uniqueName } from '@lfsync/testkit';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type TestStack } from './stack.ts';
import { authedClient, dartEvent } from './support.ts';

describe('slow consumer', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      natsUrl: inject('natsUrl'),
      mongoUrl: inject('mongoUrl'),
      gatewayEnv: { MAX_OUTBOUND_BYTES: '65536', MAX_BATCH_EVENTS: '200', PING_INTERVAL_MS: '600000' },
    });
  });
  afterAll(() => stack.stop());

  it('disconnects a session that stops reading (4408) while the others keep receiving', async () => {
    const repo = uniqueName('r');
    const slow = new WebSocket(stack.gatewayUrl());
    await new Promise((resolve) => slow.once('open', resolve));
    slow.send(JSON.stringify({ type: 'auth', token: await stack.token('slow') }));
    await new Promise((resolve) => slow.once('message', resolve));
    const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    // Stop reading: the kernel buffers fill, then the gateway's send buffer.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    const fast = await authedClient(stack, 0, 'fast');
    const writer = await authedClient(stack, 0, 'writer');
    const blob = 'x'.repeat(2_000);
    const batches = 60;
    for (let i = 0; i < batches; i++) {
      writer.send({
        type: 'push_events_batch',
        repository: repo,
        events: Array.from({ length: 200 }, (_, j) => dartEvent(`e${i}-${j}`, { blob })),
      });
      await writer.waitForType('ack');
    }
    await expect.poll(() => fast.eventsOf(repo).length, { timeout: 30_000 }).toBe(batches * 200);
    const metrics = await (await fetch(`${stack.httpUrl()}/metrics`)).text();
    expect(metrics).toMatch(/gateway_slow_consumer_disconnects_total 1/);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([4408, 1006]).toContain(await closed);
    await Promise.all([fast.close(), writer.close()]);
  }, 120_000);
});
