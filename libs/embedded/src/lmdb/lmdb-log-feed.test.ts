import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SequencedBatch } from '@lfsync/contracts';
import type { LogDelivery } from '@lfsync/persister';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { consumeLmdbLog, type LogSink } from './lmdb-log-consumer.ts';
import { LmdbSequenceLog } from './lmdb-sequence-log.ts';

const logger = pino({ level: 'silent' });

function batch(repository: string, sequence: number): SequencedBatch {
  const event = {
    _event_id: `${repository}-${sequence}`,
    _operation: 0 as const,
    _created_at: 0,
    serverSequence: sequence,
  };
  return { repository, fromSequence: sequence, toSequence: sequence, events: [event] };
}

/** Records every group it is handed; `decide` says what to do with each delivery (default: ack). */
class FakeSink implements LogSink {
  readonly groups: string[][] = [];
  decide: (delivery: LogDelivery, id: string) => void = (delivery) => delivery.ack();

  persist(deliveries: readonly LogDelivery[]): Promise<void> {
    const ids = deliveries.map((d) => (d.json() as SequencedBatch).events[0]?._event_id ?? '?');
    this.groups.push(ids);
    deliveries.forEach((d, i) => this.decide(d, ids[i] ?? '?'));
    return Promise.resolve();
  }

  stop(): void {}

  get delivered(): string[] {
    return this.groups.flat();
  }
}

function openLog(dir: string) {
  const env = LmdbEnvironment.open(dir);
  return { env, log: new LmdbSequenceLog(env) };
}

/** The log in `dir` with a consumer feeding `sink`; `stop` (also run when the test ends) is a clean shutdown. */
function consume(dir: string, sink: FakeSink, batchSize = 10) {
  const { env, log } = openLog(dir);
  const consumer = consumeLmdbLog({ env, log, sink, batchSize, logger });
  const stop = async () => {
    await consumer.stop();
    await env.close();
  };
  onTestFinished(stop);
  return { log, stop };
}

async function appendAllIn(dir: string, batches: readonly SequencedBatch[]): Promise<void> {
  const { env, log } = openLog(dir);
  await appendAll(log, batches);
  await env.close();
}

async function appendAll(log: LmdbSequenceLog, batches: readonly SequencedBatch[]): Promise<void> {
  for (const b of batches) {
    const { head } = await log.head(b.repository);
    const outcome = await log.append(b, head.version, `${b.repository}:${b.fromSequence}`);
    if (outcome.kind !== 'appended') throw new Error(`append ${outcome.kind}`);
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-consumer-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('consumeLmdbLog', () => {
  it('delivers the log in order, in groups of at most batchSize, and wakes up for new appends', async () => {
    const dir = tempDir();
    await appendAllIn(dir, [batch('a', 1), batch('b', 1), batch('a', 2)]);
    const sink = new FakeSink();
    const { log } = consume(dir, sink, 2);
    await expect.poll(() => sink.delivered).toEqual(['a-1', 'b-1', 'a-2']);
    expect(sink.groups.map((g) => g.length)).toEqual([2, 1]);

    await appendAll(log, [batch('b', 2)]);
    await expect.poll(() => sink.delivered).toEqual(['a-1', 'b-1', 'a-2', 'b-2']);
  });

  it('delivers again after a restart everything from the first entry not acknowledged, in order', async () => {
    const dir = tempDir();
    await appendAllIn(dir, [batch('a', 1), batch('a', 2), batch('a', 3), batch('a', 4)]);
    const first = new FakeSink();
    // a-2 is never acknowledged (the process dies first); a-3 is, out of order.
    first.decide = (delivery, id) => {
      if (id !== 'a-2') delivery.ack();
    };
    const running = consume(dir, first);
    await expect.poll(() => first.delivered).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
    await running.stop();

    const second = new FakeSink();
    consume(dir, second);
    await expect.poll(() => second.delivered).toEqual(['a-2', 'a-3', 'a-4']);
  });

  it('does not deliver again what was acknowledged or rejected before a restart', async () => {
    const dir = tempDir();
    await appendAllIn(dir, [batch('a', 1), batch('a', 2)]);
    const first = new FakeSink();
    first.decide = (delivery, id) => (id === 'a-1' ? delivery.reject() : delivery.ack());
    const running = consume(dir, first);
    await expect.poll(() => first.delivered).toEqual(['a-1', 'a-2']);
    await running.stop();

    const second = new FakeSink();
    const { log } = consume(dir, second);
    await appendAll(log, [batch('a', 3)]);
    await expect.poll(() => second.delivered).toEqual(['a-3']);
  });

  it('delivers an entry the sink asked to retry again after its delay', async () => {
    const dir = tempDir();
    await appendAllIn(dir, [batch('a', 1), batch('a', 2)]);
    const sink = new FakeSink();
    let retried = false;
    sink.decide = (delivery, id) => {
      if (id === 'a-1' && !retried) {
        retried = true;
        delivery.retryLater(20);
      } else {
        delivery.ack();
      }
    };
    consume(dir, sink);
    await expect.poll(() => sink.delivered).toEqual(['a-1', 'a-2', 'a-1']);
  });
});
