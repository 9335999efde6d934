import type { EventReader, StoredEvent } from '@lfsync/ports';
import { FakeClock, sequencedBatch } from '@lfsync/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { unfilteredCommitFeed, type CommitHandlers } from '../bus/commit-feed.ts';
import { gatewayConfigSchema } from '../config.ts';
import { createGatewayMetrics } from '../metrics.ts';
import type { Session } from '../ws/session.ts';
import { startCommitIntake } from './commit-intake.ts';
import { createSyncServices } from './sync-services.ts';

const LINGER_MS = gatewayConfigSchema.parse({}).COMMIT_SUBSCRIPTION_LINGER_MS;

/** Holds nothing; counts the reads that reach it. */
class FakeDatabase implements EventReader {
  reads = 0;
  readAfter(): Promise<StoredEvent[]> {
    this.reads += 1;
    return Promise.resolve([]);
  }
  async *scanAfter(): AsyncGenerator<StoredEvent[]> {
    yield await this.readAfter();
  }
  head = () => Promise.resolve(0);
  findByEventId = () => Promise.resolve(undefined);
  latestByDataId = () => Promise.resolve(undefined);
  scanLatestByDataId = async function* () {};
  repositories = () => Promise.resolve([]);
  ping = () => Promise.resolve(true);
}

/** The intake on a database that counts reads, with the handlers it gave its feed. */
function intake() {
  const database = new FakeDatabase();
  const logger = pino({ level: 'silent' });
  const clock = new FakeClock();
  const metrics = createGatewayMetrics();
  const sequencer = { sequence: () => Promise.reject(new Error('not in this test')) };
  const presence = {
    publish: () => {},
    subscribe: () => () => {},
    publishHeartbeat: () => {},
    subscribeHeartbeats: () => () => {},
  };
  const config = gatewayConfigSchema.parse({});
  const services = createSyncServices(
    config,
    { store: database, sequencer, presence },
    metrics,
    clock,
    logger,
  );
  let handlers: CommitHandlers | undefined;
  const adapters = {
    subscribeCommits: (given: CommitHandlers) => {
      handlers = given;
      return unfilteredCommitFeed(() => {});
    },
    onBroadcastGap: () => {},
  };
  startCommitIntake(adapters, services, metrics, clock, logger);
  if (handlers === undefined) throw new Error('the intake subscribed to no commits');
  return { database, store: services.store, services, handlers, clock };
}

describe('startCommitIntake', () => {
  it('keeps the recent events of the repositories the feed says it kept when the wildcard ends, and only those', async () => {
    const { database, store, handlers } = intake();
    for (const repository of ['kept', 'dropped']) handlers.onCommit(sequencedBatch(1, 2, repository));
    handlers.stopped(undefined, new Set(['kept']));
    expect((await store.readAfter('kept', 0, 10)).map((e) => e.sequence)).toEqual([1, 2]);
    expect(database.reads).toBe(0);
    await store.readAfter('dropped', 0, 10);
    expect(database.reads).toBe(1);
  });

  it("sends a pusher's ack before the commit's frame reaches the other sessions, within the same turn", async () => {
    const { services, handlers } = intake();
    const log: string[] = [];
    const reader = { awaitingAck: false, deliver: () => log.push('reader') > 0 };
    services.registry.set(reader as unknown as Session, true);
    // A push to `r` in flight, as PushService does it: expected, then waiting for its sequence.
    const release = services.commits.expect('r');
    const acked = services.commits.waitFor('r', 1, 10_000).then(() => log.push('ack'));
    handlers.onCommit(sequencedBatch(1, 1, 'r'));
    // Queued after the commit: a turn of the event loop later.
    const turn = new Promise<void>((resolve) => setImmediate(() => resolve(void log.push('next turn'))));
    await Promise.all([acked, turn]);
    release();
    expect(log).toEqual(['ack', 'reader', 'next turn']);
  });

  it('keeps the window of a repository nobody here needs any more for the linger, then lets it go', async () => {
    const { database, store, services, handlers, clock } = intake();
    const reader = { awaitingAck: false, deliver: () => true } as unknown as Session;
    services.registry.set(reader, true);
    handlers.onCommit(sequencedBatch(1, 2, 'r'));
    services.registry.remove(reader);
    // Its sessions are reconnecting: the commits meanwhile keep the window whole for their catch-ups.
    await clock.advance(LINGER_MS - 1);
    expect(handlers.wants('r')).toBe(true);
    handlers.onCommit(sequencedBatch(3, 4, 'r'));
    expect((await store.readAfter('r', 1, 10)).map((e) => e.sequence)).toEqual([2, 3, 4]);
    expect(database.reads).toBe(0);
    // Remembered meanwhile, not needed: the linger counts from the last commit a session or push needed.
    await clock.advance(2);
    expect(handlers.wants('r')).toBe(false);
    await store.readAfter('r', 1, 10);
    expect(database.reads).toBe(1);
  });
});
