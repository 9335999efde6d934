import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { CommitTracker } from './commit-tracker.ts';

const storeWithHead = (head: number) => ({ head: () => Promise.resolve(head) });

describe('CommitTracker', () => {
  it('resolves at once for a sequence already committed, and on the commit otherwise', async () => {
    const tracker = new CommitTracker(storeWithHead(0), new FakeClock());
    tracker.committed('r', 3);
    expect(await tracker.waitFor('r', 2, 1_000)).toBe(true);
    const waiting = tracker.waitFor('r', 5, 1_000);
    tracker.committed('r', 4);
    tracker.committed('r', 5);
    expect(await waiting).toBe(true);
  });

  it('asks the store only once the timeout has passed (a missed broadcast) and reports the truth', async () => {
    const clock = new FakeClock();
    let settled: boolean | undefined;
    void new CommitTracker(storeWithHead(7), clock).waitFor('r', 7, 1_000).then((ok) => (settled = ok));
    await clock.advance(999);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    expect(settled).toBe(true);

    const behind = new CommitTracker(storeWithHead(6), clock).waitFor('r', 7, 1_000);
    await clock.advance(1_000);
    expect(await behind).toBe(false);
  });
});
