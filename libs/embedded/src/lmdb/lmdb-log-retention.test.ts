import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, type SequencedBatch } from '@lfsync/contracts';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbLogFeed } from './lmdb-log-feed.ts';
import { LmdbSequenceLog, type LmdbLogOptions } from './lmdb-sequence-log.ts';

const RETENTION_MS = 10_000;

function batch(repository: string, sequence: number, padBytes = 0): SequencedBatch {
  const event = {
    _event_id: `${repository}-${sequence}`,
    _operation: 0 as const,
    _created_at: 0,
    serverSequence: sequence,
    _data: { pad: 'x'.repeat(padBytes) },
  };
  return { repository, fromSequence: sequence, toSequence: sequence, events: [event] };
}

function open(options: LmdbLogOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-retention-'));
  const clock = new FakeClock();
  const env = LmdbEnvironment.open(dir);
  const log = new LmdbSequenceLog(env, {
    duplicateWindowMs: 1_000,
    retentionMs: RETENTION_MS,
    clock,
    ...options,
  });
  const feed = new LmdbLogFeed(env, log, { clock });
  onTestFinished(async () => {
    await feed.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { log, feed, clock };
}

async function append(log: LmdbSequenceLog, b: SequencedBatch): Promise<void> {
  const { head } = await log.head(b.repository);
  const outcome = await log.append(b, head.version, `${b.repository}:${b.fromSequence}`);
  if (outcome.kind !== 'appended') throw new Error(`append ${outcome.kind}`);
}

/** The persister's part: take what the feed has, acknowledge `count` of it, checkpoint (which trims). */
async function persist(feed: LmdbLogFeed, count: number): Promise<void> {
  const deliveries = await feed.next(count);
  for (const d of deliveries) d.ack();
  await feed.checkpoint();
}

const positions = (log: LmdbSequenceLog) => log.read(0, 1_000).map((e) => e.position);

describe('LMDB log retention', () => {
  it("removes entries done and older than the window, keeping each repository's last and everything not done", async () => {
    const { log, feed, clock } = open();
    for (let i = 1; i <= 3; i++) {
      await append(log, batch('a', i));
      await append(log, batch('b', i));
    }
    await persist(feed, 4); // a-1 b-1 a-2 b-2 stored; a-3 b-3 not yet
    await clock.advance(RETENTION_MS + 1);
    await log.trim(4);
    expect(positions(log)).toEqual([5, 6]);
    await append(log, batch('c', 1));
    await persist(feed, 10);
    await clock.advance(RETENTION_MS + 1);
    await log.trim(7);
    // a-3, b-3 and c-1 are each the last of their repository: the heads stay readable.
    expect(positions(log)).toEqual([5, 6, 7]);
    expect((await log.head('a')).head).toEqual({ sequence: 3, version: 5 });
    // The next append of `a` drops its kept entry, already stored and old.
    const before = log.bytes;
    await append(log, batch('a', 4));
    expect(positions(log)).toEqual([6, 7, 8]);
    expect(log.bytes).toBe(before);
  });

  it('never removes an entry the persister has not done, however old', async () => {
    const { log, clock } = open();
    await append(log, batch('a', 1));
    await append(log, batch('a', 2));
    await clock.advance(RETENTION_MS * 10);
    expect(await log.trim(0)).toBe(0);
    expect(positions(log)).toEqual([1, 2]);
  });

  it("tells when the persister's backlog starts: the oldest entry it has not done, or now", async () => {
    const { log, feed, clock } = open();
    expect(await feed.persistedBefore()).toBe(clock.now());
    const firstAt = clock.now();
    await append(log, batch('a', 1));
    await clock.advance(1_000);
    await append(log, batch('a', 2));
    await clock.advance(1_000);
    expect(await feed.persistedBefore()).toBe(firstAt);
    await persist(feed, 1);
    expect(await feed.persistedBefore()).toBe(firstAt + 1_000);
    await persist(feed, 1);
    expect(await feed.persistedBefore()).toBe(clock.now());
  });

  it('refuses appends past maxBytes with a retryable UNAVAILABLE, loses nothing, and resumes once trimmed', async () => {
    const { log, feed, clock } = open({ maxBytes: 16 * 1024 });
    let appended = 0;
    let refused: unknown;
    while (refused === undefined && appended < 100) {
      try {
        await append(log, batch('a', appended + 1, 1024));
        appended += 1;
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 5_000 });
    expect(appended).toBeGreaterThan(10);
    expect(positions(log)).toHaveLength(appended);
    await clock.advance(RETENTION_MS + 1);
    await persist(feed, 1_000);
    await append(log, batch('a', appended + 1, 1024));
    // The kept last entry went with this append (stored and old); positions are never given twice.
    expect(positions(log)).toEqual([appended + 1]);
  });
});
