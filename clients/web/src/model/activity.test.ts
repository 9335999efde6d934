import { describe, expect, it } from 'vitest';
import { describeChange, latestActivity, relativeTime } from './activity.ts';
import type { CounterLogRecord } from './records.ts';

function log(id: string, created_at: string | number, increment = 1, username = 'alice'): CounterLogRecord {
  return { id, username, session_id: 's', increment, created_at };
}

describe('describeChange', () => {
  it('says who changed the counter and how', () => {
    expect(describeChange(1, 'Alice')).toBe('Increased by 1 by Alice');
    expect(describeChange(-1, 'Bob')).toBe('Decreased by 1 by Bob');
    expect(describeChange(-3, 'Bob')).toBe('Decreased by 3 by Bob');
    expect(describeChange(0, 'Eve')).toBe('No change by Eve');
  });
});

describe('latestActivity', () => {
  it('lists the newest first, ties broken by id, limited', () => {
    const logs = [
      log('a', '2025-01-01T10:00:00.000Z'),
      log('c', '2025-01-01T10:00:02.000Z', -1, 'bob'),
      log('b1', '2025-01-01T10:00:01.000Z'),
      log('b2', '2025-01-01T10:00:01.000Z'),
      log('d', Date.parse('2025-01-01T09:00:00.000Z')),
    ];
    expect(latestActivity(logs, 3).map((i) => i.id)).toEqual(['c', 'b2', 'b1']);
    expect(latestActivity(logs, 10).map((i) => i.id)).toEqual(['c', 'b2', 'b1', 'a', 'd']);
    expect(latestActivity(logs, 1)[0]).toEqual({
      id: 'c',
      text: 'Decreased by 1 by bob',
      username: 'bob',
      increment: -1,
      atMs: Date.parse('2025-01-01T10:00:02.000Z'),
    });
  });

  it('gives the same answer as a full sort for any order of input', () => {
    const logs = Array.from({ length: 50 }, (_, i) =>
      log(`id${String(i).padStart(2, '0')}`, (i * 7919) % 13),
    );
    const expected = [...logs]
      .sort((x, y) => Number(y.created_at) - Number(x.created_at) || (y.id > x.id ? 1 : -1))
      .slice(0, 8)
      .map((l) => l.id);
    expect(latestActivity(logs, 8).map((i) => i.id)).toEqual(expected);
    expect(latestActivity([...logs].reverse(), 8).map((i) => i.id)).toEqual(expected);
  });

  it('keeps entries with an unreadable time, listed last', () => {
    expect(
      latestActivity([log('x', 'not a date'), log('y', '2025-01-01T00:00:00Z')], 5).map((i) => i.id),
    ).toEqual(['y', 'x']);
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2025-01-02T12:00:00.000Z');
  it.each([
    [now + 5_000, 'just now'],
    [now - 9_999, 'just now'],
    [now - 45_000, '45 s ago'],
    [now - 3 * 60_000, '3 min ago'],
    [now - 2 * 3_600_000, '2 h ago'],
    [now - 3 * 86_400_000, '3 d ago'],
    [undefined, 'some time ago'],
  ])('%s → %s', (then, text) => {
    expect(relativeTime(then, now)).toBe(text);
  });
});
