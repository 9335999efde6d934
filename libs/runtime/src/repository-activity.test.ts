import { describe, expect, it } from 'vitest';
import { RepositoryActivity } from './repository-activity.ts';

describe('RepositoryActivity', () => {
  it('keeps the highest head and adds up events per repository until taken', () => {
    const activity = new RepositoryActivity();
    activity.committed('a', 5, 5);
    activity.committed('b', 2, 2);
    activity.committed('a', 9, 4);
    activity.committed('a', 7, 2); // a late, older batch
    expect(activity.take()).toEqual([
      { repository: 'a', head: 9, events: 11 },
      { repository: 'b', head: 2, events: 2 },
    ]);
    expect(activity.take()).toEqual([]);
  });

  it('keeps the busiest when there are more than the limit', () => {
    const activity = new RepositoryActivity();
    for (let i = 1; i <= 5; i++) activity.committed(`r${i}`, i, i);
    expect(activity.take(2).map((r) => r.repository)).toEqual(['r5', 'r4']);
  });
});
