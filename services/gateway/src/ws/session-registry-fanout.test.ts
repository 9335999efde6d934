import { sequencedBatch } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { SessionRegistry, type Subscriber } from './session-registry.ts';

class FakeSession implements Subscriber {
  readonly received: string[] = [];
  awaitingAck = false;
  constructor(
    readonly name = '',
    readonly log: string[] = [],
  ) {}
  deliver(batch: { repository: string; toSequence: number }): boolean {
    this.received.push(batch.repository);
    this.log.push(`${this.name}:${batch.toSequence}`);
    return true;
  }
}

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A registry with a reader and a pusher (waiting for an ack), both receiving everything; `log` in order. */
function readerAndPusher(acksAwaited: (repository: string) => boolean) {
  const log: string[] = [];
  const registry = new SessionRegistry<FakeSession>({ acksAwaited });
  const [reader, pusher] = [new FakeSession('reader', log), new FakeSession('pusher', log)];
  for (const session of [reader, pusher]) registry.set(session, true);
  pusher.awaitingAck = true;
  return { log, registry, reader, pusher };
}

describe('SessionRegistry fan-out', () => {
  it('sends a session that never subscribed everything, and one that did only its subscriptions', async () => {
    const registry = new SessionRegistry<FakeSession>();
    const implicit = new FakeSession();
    const subscriber = new FakeSession();
    registry.set(implicit, true);
    registry.set(subscriber, true);
    registry.subscribe(subscriber, 'doc:*');
    for (const repository of ['doc:1', 'other']) registry.broadcast(sequencedBatch(1, 1, repository));
    await flush();
    expect(implicit.received).toEqual(['doc:1', 'other']);
    expect(subscriber.received).toEqual(['doc:1']);
  });

  it('wants no commit of a repository nobody subscribed to when implicit sessions are off', async () => {
    const registry = new SessionRegistry<FakeSession>({ implicitAll: false });
    const silent = new FakeSession();
    const subscriber = new FakeSession();
    registry.set(silent, true);
    registry.set(subscriber, true);
    registry.subscribe(subscriber, 'mine');
    expect(registry.wants('mine')).toBe(true);
    expect(registry.wants('theirs')).toBe(false);
    registry.broadcast(sequencedBatch(1, 1, 'mine'));
    await flush();
    expect(silent.received).toEqual([]);
    registry.unsubscribe(subscriber, 'mine');
    expect(registry.wants('mine')).toBe(false);
  });

  it('stops delivering to a session that lost its authentication, and resumes its subscriptions after', async () => {
    const registry = new SessionRegistry<FakeSession>();
    const session = new FakeSession();
    registry.set(session, true);
    registry.subscribe(session, 'r');
    registry.set(session, false);
    expect(registry.wants('r')).toBe(false);
    registry.set(session, true);
    registry.broadcast(sequencedBatch(1, 1, 'r'));
    await flush();
    expect(session.received).toEqual(['r']);
    registry.remove(session);
    expect(registry.indexedKeys).toBe(0);
  });

  it('tells its interest when a pattern gets its first subscriber and loses its last, and about implicit sessions', () => {
    const calls: string[] = [];
    const registry = new SessionRegistry<FakeSession>({
      interest: {
        follow: (pattern) => calls.push(`+${pattern}`),
        unfollow: (pattern) => calls.push(`-${pattern}`),
        followImplicit: () => calls.push('+implicit'),
        unfollowImplicit: () => calls.push('-implicit'),
      },
    });
    const [a, b] = [new FakeSession(), new FakeSession()];
    registry.set(a, true);
    registry.set(b, true);
    registry.subscribe(a, 'doc:1');
    registry.subscribe(b, 'doc:1');
    registry.subscribe(b, 'doc:*');
    expect(calls).toEqual(['+implicit', '+doc:1', '-implicit', '+doc:*']);
    registry.unsubscribe(a, 'doc:1');
    registry.remove(b);
    registry.remove(b);
    registry.remove(a);
    expect(calls).toEqual(['+implicit', '+doc:1', '-implicit', '+doc:*', '-doc:1', '-doc:*']);
  });

  it('sends a commit whose acks are awaited to the pushing sessions first, and to the others after the acks', async () => {
    const { log, registry, reader, pusher } = readerAndPusher((repository) => repository === 'r');
    const other = new FakeSession('other', log);
    registry.set(other, true);
    registry.subscribe(other, 'elsewhere');
    registry.subscribe(pusher, 'r');
    registry.broadcast(sequencedBatch(1, 1, 'r'));
    // The ack the commit releases is written in the microtasks after the flush (a promise chain).
    await flush().then(() => log.push('ack'));
    expect(log).toEqual(['pusher:1', 'ack']);
    await nextTurn();
    expect(log).toEqual(['pusher:1', 'ack', 'reader:1']);
    expect(reader.received).toEqual(['r']);
    expect(other.received).toEqual([]);
  });

  it('keeps the commits of every session in order when a later commit comes before the others got an earlier one', async () => {
    const { log, registry, reader } = readerAndPusher(() => true);
    registry.broadcast(sequencedBatch(1, 1, 'r'));
    await flush();
    // The reader starts a push of its own before the first commit reached it.
    reader.awaitingAck = true;
    registry.broadcast(sequencedBatch(2, 2, 'r'));
    await flush();
    await nextTurn();
    expect(reader.received).toHaveLength(2);
    expect(log.filter((entry) => entry.startsWith('reader'))).toEqual(['reader:1', 'reader:2']);
    expect(log.filter((entry) => entry.startsWith('pusher'))).toEqual(['pusher:1', 'pusher:2']);
  });

  it('writes every session at once when no ack waits for the commit', async () => {
    const { log, registry } = readerAndPusher(() => false);
    registry.broadcast(sequencedBatch(1, 1, 'r'));
    await flush();
    expect(log).toEqual(['reader:1', 'pusher:1']);
  });
});
