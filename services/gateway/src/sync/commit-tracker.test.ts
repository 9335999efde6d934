import { describe, expect, it } from 'vitest';
import { CommitTracker } from './commit-tracker.ts';

const storeWithHead = (head: number) => ({ head: () => Promise.resolve(head) });

describe('CommitTracker', () => {
  it('resolves at once for a sequence already committed, and on the commit otherwise', async () => {
    const tracker = new CommitTracker(storeWithHead(0));
    tracker.committed('r', 3);
    expect(await tracker.waitFor('r', 2, 1_000)).toBe(true);
    const waiting = tracker.waitFor('r', 5, 1_000);
    tracker.committed('r', 4);
    tracker.committed('r', 5);
    expect(await waiting).toBe(true);
  });

  it('asks the store after the timeout (a missed broadcast) and reports the truth', async () => {
    expect(await new CommitTracker(storeWithHead(7)).waitFor('r', 7, 10)).toBe(true);
    expect(await new CommitTracker(storeWithHead(6)).waitFor('r', 7, 10)).toBe(false);
  });
});
