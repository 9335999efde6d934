import { describe, expect, it } from 'vitest';
import { nextSessionCounter, summarizeCounters } from './counter.ts';
import type { SessionCounterRecord } from './records.ts';

function session(id: string, username: string, count: number): SessionCounterRecord {
  return { id, username, session_id: id, count };
}

describe('summarizeCounters', () => {
  it('sums every session of every user, negatives included', () => {
    const summary = summarizeCounters(
      [session('s1', 'alice', 3), session('s2', 'alice', -1), session('s3', 'bob', 5)],
      's2',
    );
    expect(summary.total).toBe(7);
    expect([...summary.byUser]).toEqual([
      ['alice', 2],
      ['bob', 5],
    ]);
    expect(summary.session).toBe(-1);
  });

  it('is zero with no records, and the session count is zero before its first click', () => {
    expect(summarizeCounters([], 's1')).toEqual({ total: 0, byUser: new Map(), session: 0 });
    expect(summarizeCounters([session('s9', 'bob', 4)], 's1').session).toBe(0);
  });
});

describe('nextSessionCounter', () => {
  it('starts a session at the delta and keeps its creation time afterwards', () => {
    const first = nextSessionCounter(undefined, { sessionId: 's1', username: 'alice', delta: 1, now: 'T1' });
    expect(first).toEqual({
      id: 's1',
      username: 'alice',
      session_id: 's1',
      count: 1,
      created_at: 'T1',
      updated_at: 'T1',
    });
    const second = nextSessionCounter(first, { sessionId: 's1', username: 'alice', delta: -1, now: 'T2' });
    expect(second).toMatchObject({ count: 0, created_at: 'T1', updated_at: 'T2' });
  });
});
