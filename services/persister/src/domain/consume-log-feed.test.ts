import type { LogDelivery, LogFeed } from '@lfsync/ports';
import { FakeClock, captureLogs } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { consumeLogFeed, consumerBackoffMs, type LogSink } from './consume-log-feed.ts';

/** A feed the test fills by hand; records what happens to each delivery. */
class FakeFeed implements LogFeed {
  readonly events: string[] = [];
  readonly #queued: LogDelivery[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  checkpoints = 0;

  add(...ids: string[]): void {
    for (const id of ids) {
      this.#queued.push({
        data: new TextEncoder().encode(id),
        ack: () => this.events.push(`ack ${id}`),
        retryLater: (delayMs) => {
          this.events.push(`retry ${id} in ${delayMs}`);
          this.add(id);
        },
        reject: () => this.events.push(`reject ${id}`),
        working: () => undefined,
      });
    }
    this.#wake?.();
  }

  async next(max: number): Promise<LogDelivery[]> {
    while (this.#queued.length === 0 && !this.#closed) await new Promise<void>((r) => (this.#wake = r));
    return this.#closed ? [] : this.#queued.splice(0, max);
  }

  checkpoint(): Promise<void> {
    this.checkpoints += 1;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    return Promise.resolve();
  }
}

/** Acknowledges everything, except that `failNext` groups throw first. */
class FakeSink implements LogSink {
  readonly groups: string[][] = [];
  failNext = 0;
  stopped = false;

  persist(deliveries: readonly LogDelivery[]): Promise<void> {
    this.groups.push(deliveries.map((d) => new TextDecoder().decode(d.data)));
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('store down', { cause: new Error('connection reset') }));
    }
    for (const delivery of deliveries) delivery.ack();
    return Promise.resolve();
  }

  stop(): void {
    this.stopped = true;
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function start(batchSize = 10) {
  const feed = new FakeFeed();
  const sink = new FakeSink();
  const clock = new FakeClock();
  const logs = captureLogs('error');
  const consumer = consumeLogFeed({ feed, sink, batchSize, logger: logs.logger, clock });
  return { feed, sink, clock, logs, consumer };
}

describe('consumeLogFeed', () => {
  it('hands over what arrived in groups of at most batchSize, checkpointing after each', async () => {
    const { feed, sink, consumer } = start(2);
    feed.add('a', 'b', 'c');
    await settle();
    expect(sink.groups).toEqual([['a', 'b'], ['c']]);
    expect(feed.checkpoints).toBe(2);
    await consumer.stop();
  });

  it('logs a failure once with its cause, delivers the group again after a back-off, and goes on', async () => {
    const { feed, sink, clock, logs, consumer } = start();
    sink.failNext = 2;
    feed.add('a');
    await settle();
    expect(feed.events).toEqual([`retry a in ${consumerBackoffMs(1)}`]);
    const failures = logs.lines.filter((l) => l['msg'] === 'log consumer failed, retrying');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0]?.['err'])).toContain('connection reset');

    await clock.advance(consumerBackoffMs(1) - 1);
    expect(sink.groups).toHaveLength(1);
    await clock.advance(1);
    await settle();
    expect(feed.events.at(-1)).toBe(`retry a in ${consumerBackoffMs(2)}`);
    await clock.advance(consumerBackoffMs(2));
    await settle();
    expect(sink.groups).toEqual([['a'], ['a'], ['a']]);
    expect(feed.events.at(-1)).toBe('ack a');

    feed.add('b');
    await settle();
    expect(feed.events.at(-1)).toBe('ack b');
    await consumer.stop();
  });

  it('backs off longer while failures repeat, up to a bound', () => {
    const delays = [1, 2, 3, 10, 100].map(consumerBackoffMs);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[1]).toBeGreaterThan(delays[0] ?? 0);
    expect(delays[3]).toBe(delays[4]);
  });

  it('stops cleanly, even during a back-off: the sink is stopped and the feed checkpointed last', async () => {
    const { feed, sink, consumer } = start();
    sink.failNext = 1;
    feed.add('a');
    await settle();
    const checkpoints = feed.checkpoints;
    await consumer.stop();
    expect(sink.stopped).toBe(true);
    expect(feed.checkpoints).toBe(checkpoints + 1);
  });
});
