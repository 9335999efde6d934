import type { SequencedBatch } from '@lfsync/contracts';
import { captureLogs } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { InProcessCommitBus } from './in-process-commit-bus.ts';

const committed: SequencedBatch = {
  repository: 'counter',
  fromSequence: 1,
  toSequence: 1,
  events: [{ _event_id: 'e1', _operation: 0, _created_at: 0, serverSequence: 1 }],
};
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('InProcessCommitBus', () => {
  it('hands every subscriber the validated batch, after the publisher has returned', async () => {
    const bus = new InProcessCommitBus(captureLogs('error').logger);
    const first: SequencedBatch[] = [];
    const second: SequencedBatch[] = [];
    bus.subscribe((b) => first.push(b));
    bus.subscribe((b) => second.push(b));
    bus.publish('counter', bytes(committed));
    expect(first).toEqual([]);
    await Promise.resolve();
    expect(first).toEqual([committed]);
    expect(second).toEqual([committed]);
  });

  it('drops and logs what is not a sequenced batch of that repository', async () => {
    const logs = captureLogs('error');
    const bus = new InProcessCommitBus(logs.logger);
    const received: SequencedBatch[] = [];
    bus.subscribe((b) => received.push(b));
    bus.publish('counter', new TextEncoder().encode('not json'));
    bus.publish('counter', bytes({ ...committed, toSequence: 2 }));
    bus.publish('other', bytes(committed));
    await Promise.resolve();
    expect(received).toEqual([]);
    expect(logs.lines.filter((l) => l['msg'] === 'invalid commit message ignored')).toHaveLength(3);
  });

  it('keeps delivering to the others when a subscriber throws, and stops after unsubscribe', async () => {
    const logs = captureLogs('error');
    const bus = new InProcessCommitBus(logs.logger);
    const received: SequencedBatch[] = [];
    bus.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const unsubscribe = bus.subscribe((b) => received.push(b));
    bus.publish('counter', bytes(committed));
    await Promise.resolve();
    expect(received).toHaveLength(1);
    expect(logs.lines.some((l) => l['msg'] === 'commit subscriber failed')).toBe(true);
    unsubscribe();
    bus.publish('counter', bytes(committed));
    await Promise.resolve();
    expect(received).toHaveLength(1);
  });
});
