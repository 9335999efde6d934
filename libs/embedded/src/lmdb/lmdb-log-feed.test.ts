import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSequencedBatch, type SequencedBatch } from '@lfsync/contracts';
import type { LogDelivery } from '@lfsync/ports';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbLogFeed } from './lmdb-log-feed.ts';
import { LmdbSequenceLog } from './lmdb-sequence-log.ts';

function batch(repository: string, sequence: number): SequencedBatch {
  const event = {
    _event_id: `${repository}-${sequence}`,
    _operation: 0 as const,
    _created_at: 0,
    serverSequence: sequence,
  };
  return { repository, fromSequence: sequence, toSequence: sequence, events: [event] };
}

const idOf = (delivery: LogDelivery): string => {
  const decoded = decodeSequencedBatch(delivery.data);
  return decoded.ok ? (decoded.batch.events[0]?._event_id ?? '?') : '?';
};
const ids = (deliveries: readonly LogDelivery[]) => deliveries.map(idOf);

/** The log in `dir` with a feed on it; `close` (also run when the test ends) is a clean shutdown. */
function open(dir: string, clock = new FakeClock()) {
  const env = LmdbEnvironment.open(dir);
  const log = new LmdbSequenceLog(env);
  const feed = new LmdbLogFeed(env, log, { clock });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await feed.close();
    await feed.checkpoint();
    await env.close();
  };
  onTestFinished(close);
  return { log, feed, close };
}

async function appendAll(log: LmdbSequenceLog, batches: readonly SequencedBatch[]): Promise<void> {
  for (const b of batches) {
    const { head } = await log.head(b.repository);
    const outcome = await log.append(b, head.version, `${b.repository}:${b.fromSequence}`);
    if (outcome.kind !== 'appended') throw new Error(`append ${outcome.kind}`);
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-feed-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('LmdbLogFeed', () => {
  it('delivers the log in order, at most `max` at a time, and waits for new appends', async () => {
    const { log, feed } = open(tempDir());
    await appendAll(log, [batch('a', 1), batch('b', 1), batch('a', 2)]);
    expect(ids(await feed.next(2))).toEqual(['a-1', 'b-1']);
    expect(ids(await feed.next(2))).toEqual(['a-2']);
    const waiting = feed.next(2);
    await appendAll(log, [batch('b', 2)]);
    expect(ids(await waiting)).toEqual(['b-2']);
  });

  it('delivers again after a restart everything from the first entry not acknowledged, in order', async () => {
    const dir = tempDir();
    const first = open(dir);
    await appendAll(first.log, [batch('a', 1), batch('a', 2), batch('a', 3), batch('a', 4)]);
    // a-2 is never acknowledged (the process dies first); a-3 is, out of order.
    for (const delivery of await first.feed.next(10)) if (idOf(delivery) !== 'a-2') delivery.ack();
    await first.close();

    const second = open(dir);
    expect(ids(await second.feed.next(10))).toEqual(['a-2', 'a-3', 'a-4']);
  });

  it('does not deliver again what was acknowledged or rejected before a restart', async () => {
    const dir = tempDir();
    const first = open(dir);
    await appendAll(first.log, [batch('a', 1), batch('a', 2)]);
    const [a1, a2] = await first.feed.next(10);
    a1?.reject();
    a2?.ack();
    await first.close();

    const second = open(dir);
    await appendAll(second.log, [batch('a', 3)]);
    expect(ids(await second.feed.next(10))).toEqual(['a-3']);
  });

  it('delivers an entry asked to be retried again after its delay, before newer ones', async () => {
    const clock = new FakeClock();
    const { log, feed } = open(tempDir(), clock);
    await appendAll(log, [batch('a', 1)]);
    const [a1] = await feed.next(10);
    a1?.retryLater(20);
    await appendAll(log, [batch('a', 2)]);
    expect(ids(await feed.next(10))).toEqual(['a-2']);
    const next = feed.next(10);
    await clock.advance(19);
    await appendAll(log, [batch('a', 3)]);
    expect(ids(await next)).toEqual(['a-3']);
    await clock.advance(1);
    await appendAll(log, [batch('a', 4)]);
    expect(ids(await feed.next(10))).toEqual(['a-1', 'a-4']);
  });

  it('ignores a retry request for an entry already acknowledged, and resolves a waiting `next` on close', async () => {
    const clock = new FakeClock();
    const { log, feed, close } = open(tempDir(), clock);
    await appendAll(log, [batch('a', 1)]);
    const [a1] = await feed.next(10);
    a1?.ack();
    a1?.retryLater(20);
    expect(clock.pendingDelaysMs).toEqual([]);
    const waiting = feed.next(10);
    await close();
    expect(await waiting).toEqual([]);
  });
});
