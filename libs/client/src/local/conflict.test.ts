import { describe, expect, it } from 'vitest';
import { compareVersions, foldVersion, lastWriterWins } from './conflict.ts';
import { createdAtMs } from './created-at.ts';
import type { RecordVersion } from './local-event.ts';

const v = (
  eventId: string,
  createdAt: string | number,
  data: Record<string, unknown> | undefined = { eventId },
): RecordVersion => ({
  eventId,
  createdAt,
  data,
});

describe('createdAtMs', () => {
  it('reads ISO with 0–6 fractional digits, no zone as UTC, offsets, and epoch ms', () => {
    expect(createdAtMs('2025-01-01T00:00:00Z')).toBe(Date.UTC(2025, 0, 1));
    expect(createdAtMs('2025-01-01T00:00:00.123456Z')).toBe(Date.UTC(2025, 0, 1, 0, 0, 0, 123));
    expect(createdAtMs('2025-01-01T00:00:00.5')).toBe(Date.UTC(2025, 0, 1, 0, 0, 0, 500));
    expect(createdAtMs('2025-01-01T01:00:00+01:00')).toBe(Date.UTC(2025, 0, 1));
    expect(createdAtMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });
});

describe('last writer wins', () => {
  it('orders by _created_at, whatever the formats', () => {
    expect(compareVersions(v('a', '2025-01-01T00:00:01.000Z'), v('b', Date.UTC(2025, 0, 1)))).toBeGreaterThan(
      0,
    );
    expect(
      lastWriterWins({
        repository: 'r',
        id: 'x',
        current: v('z', '2025-01-01T00:00:00.000Z'),
        incoming: v('a', '2025-01-01T00:00:00.001Z'),
      }),
    ).toBe('incoming');
    expect(
      lastWriterWins({
        repository: 'r',
        id: 'x',
        current: v('a', '2025-01-01T00:00:00.002Z'),
        incoming: v('z', '2025-01-01T00:00:00.001Z'),
      }),
    ).toBe('current');
  });

  it('breaks ties by _event_id, so every client picks the same winner in either order', () => {
    const a = v('0190-a', '2025-01-01T00:00:00.000Z');
    const b = v('0190-b', '2025-01-01T00:00:00.000Z');
    expect(lastWriterWins({ repository: 'r', id: 'x', current: a, incoming: b })).toBe('incoming');
    expect(lastWriterWins({ repository: 'r', id: 'x', current: b, incoming: a })).toBe('current');
  });
});

describe('foldVersion', () => {
  it('takes the incoming write when there is no current version, without asking the resolver', () => {
    const incoming = v('a', 1);
    expect(foldVersion(() => 'current', { repository: 'r', id: 'x', current: undefined, incoming })).toEqual({
      version: incoming,
      resolution: 'incoming',
    });
  });

  it('applies a merge from a custom resolver with the later timestamp', () => {
    const current = v('a', 5, { tags: ['x'] });
    const incoming = v('b', 3, { tags: ['y'] });
    const result = foldVersion(
      ({ current: c, incoming: i }) => ({
        merged: { tags: [...(c.data?.['tags'] as string[]), ...(i.data?.['tags'] as string[])] },
      }),
      { repository: 'r', id: 'x', current, incoming },
    );
    expect(result.resolution).toBe('merged');
    expect(result.version).toEqual({ eventId: 'b', createdAt: 5, data: { tags: ['x', 'y'] } });
  });
});
