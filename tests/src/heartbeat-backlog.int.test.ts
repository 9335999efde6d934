import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { authedClient, dartEvent } from './support.ts';
import { useStack } from './use-stack.ts';

const PING_INTERVAL_MS = 1_500;

describe('heartbeat behind a backlog', () => {
  const stack = useStack({
    gatewayEnv: {
      PING_INTERVAL_MS: String(PING_INTERVAL_MS),
      // Room for the whole backlog: only the heartbeat may drop a session here.
      MAX_OUTBOUND_BYTES: String(64 * 1024 * 1024),
      SLOW_CONSUMER_TIMEOUT_MS: '60000',
      MAX_BATCH_EVENTS: '200',
    },
  });

  it('keeps a session that reads a backlog slower than the pings come, and drops one that stopped reading', async () => {
    const repo = uniqueName('r');
    const slow = await authedClient(stack(), 0, 'slow');
    const stopped = await authedClient(stack(), 0, 'stopped');
    let slowClosed = false;
    void slow.closed.then(() => (slowClosed = true));
    stopped.pauseReading();
    // At most 64 KiB per 40 ms: once the kernel's buffers are full, a ping waits behind seconds of frames,
    // yet some are read every beat.
    const fullSpeed = slow.readSlowly(40);
    const started = Date.now();

    // 16 MB for every session, far more than the kernel's socket buffers hold, pushed by four writers at once
    // (each within its limit of unacknowledged events).
    const writers = await Promise.all([0, 1, 2, 3].map((w) => authedClient(stack(), 0, `writer-${w}`)));
    const blob = 'x'.repeat(2_000);
    const batches = 40;
    for (let i = 0; i < batches; i++)
      writers[i % writers.length]?.send({
        type: 'push_events_batch',
        repository: repo,
        events: Array.from({ length: 200 }, (_, j) => dartEvent(`h${i}-${j}`, { blob })),
      });
    const acks = () => writers.reduce((n, w) => n + w.frames.filter((f) => f.type === 'ack').length, 0);
    await expect.poll(acks, { timeout: 30_000 }).toBe(batches);
    await expect
      .poll(() => (slowClosed ? -1 : slow.eventsOf(repo).length), { timeout: 60_000, interval: 200 })
      .toBe(batches * 200);
    const readMs = Date.now() - started;
    fullSpeed();

    // The slow session read for many beats, its pongs late: without the backlog rule it would be gone.
    expect(readMs).toBeGreaterThan(4 * PING_INTERVAL_MS);
    expect(slowClosed).toBe(false);
    slow.send({ type: 'ping' });
    await slow.waitForType('pong');
    // Dropped without a close frame (1006), not as a slow consumer (4408): the one it sees once it reads.
    stopped.resumeReading();
    expect((await stopped.closed).code).toBe(1006);
    await Promise.all([slow, ...writers].map((client) => client.close()));
  }, 120_000);
});
