import { uniqueName, type WsTestClient } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import type { TestStack } from './stack.ts';
import { useStack } from './use-stack.ts';
import { authedClient, dartEvent } from './support.ts';

describe('slow consumer', () => {
  const stack = useStack({
    gatewayEnv: {
      MAX_OUTBOUND_BYTES: '65536',
      MAX_BATCH_EVENTS: '200',
      PING_INTERVAL_MS: '600000',
      SLOW_CONSUMER_TIMEOUT_MS: '1000',
    },
  });

  it('disconnects a session that stops reading (4408) while the others keep receiving', async () => {
    const repo = uniqueName('r');
    // Stop reading: the kernel buffers fill, then the gateway's send buffer.
    const slow = await notReadingSession(stack(), 'slow');

    const fast = await authedClient(stack(), 0, 'fast');
    const writer = await authedClient(stack(), 0, 'writer');
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
    const metrics = await (await fetch(`${stack().httpUrl()}/metrics`)).text();
    expect(metrics).toMatch(/gateway_slow_consumer_disconnects_total 1/);
    slow.resumeReading();
    expect([4408, 1006]).toContain((await slow.closed).code);
    await Promise.all([fast.close(), writer.close()]);
  }, 120_000);

  it('disconnects a session that stops reading during a catch-up (4408)', async () => {
    const repo = uniqueName('r');
    const writer = await authedClient(stack(), 0, 'writer');
    const blob = 'x'.repeat(2_000);
    for (let i = 0; i < 40; i++) {
      writer.send({
        type: 'push_events_batch',
        repository: repo,
        events: Array.from({ length: 200 }, (_, j) => dartEvent(`c${i}-${j}`, { blob })),
      });
      await writer.waitForType('ack');
    }
    const before = slowConsumerDisconnects(await (await fetch(`${stack().httpUrl()}/metrics`)).text());

    const slow = await notReadingSession(stack(), 'slow-reader');
    // 16 MB of history (more than the kernel's socket buffers hold) against a 64 KiB send buffer: the catch-up must wait for room, then give up.
    slow.send({ type: 'request_events', repository: repo, afterSequence: 0 });

    await expect
      .poll(async () => slowConsumerDisconnects(await (await fetch(`${stack().httpUrl()}/metrics`)).text()), {
        timeout: 15_000,
      })
      .toBe(before + 1);
    slow.resumeReading();
    expect([4408, 1006]).toContain((await slow.closed).code);
    // The gateway still serves everyone else.
    writer.send({ type: 'push_event', repository: repo, event: dartEvent('after') });
    await writer.waitForType('ack');
    await writer.close();
  }, 60_000);
});

function slowConsumerDisconnects(metrics: string): number {
  return Number(/^gateway_slow_consumer_disconnects_total (\d+)/m.exec(metrics)?.[1] ?? 0);
}

/** An authenticated session that has stopped reading from its socket. */
async function notReadingSession(stack: TestStack, subject: string): Promise<WsTestClient> {
  const slow = await authedClient(stack, 0, subject);
  slow.pauseReading();
  return slow;
}
