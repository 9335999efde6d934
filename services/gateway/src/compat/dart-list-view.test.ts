import { describe, expect, it } from 'vitest';
import {
  dartHasMore,
  dartListView,
  parseDartInt,
  parseDartListQuery,
  viewEventOf,
  type ViewEvent,
} from './dart-list-view.ts';

const ev = (sequence: number, eventId: string, dataId?: string): ViewEvent => ({ sequence, eventId, dataId });
const ids = (events: readonly ViewEvent[]) => events.map((e) => e.eventId);

describe('Dart list view', () => {
  it('keeps the latest event per _data_id, ascending; events without one are their own group', () => {
    const events = [ev(1, 'a1', 'a'), ev(2, 'b1', 'b'), ev(3, 'a2', 'a'), ev(4, 'x'), ev(5, 'a3', 'a')];
    expect(ids(dartListView(events, { seq: undefined, limit: 100 }, false))).toEqual(['b1', 'x', 'a3']);
  });

  it('groups only inside the window after seq (T12)', () => {
    const events = [ev(1, 'e11', 'd1'), ev(2, 'e12', 'd1'), ev(3, 'e21', 'd2')];
    const first = dartListView(events, { seq: undefined, limit: 100 }, false);
    expect(first.map((e) => e.sequence)).toEqual([2, 3]);
    expect(ids(dartListView(events, { seq: 2, limit: 100 }, false))).toEqual(['e21']);
    expect(ids(dartListView(events, { seq: 1, limit: 100 }, false))).toEqual(['e12', 'e21']);
  });

  it('cuts the oldest groups at the limit', () => {
    const events = [ev(1, 'a', 'a'), ev(2, 'b', 'b'), ev(3, 'c', 'c')];
    expect(ids(dartListView(events, { seq: undefined, limit: 2 }, false))).toEqual(['a', 'b']);
    expect(ids(dartListView(events, { seq: undefined, limit: 0 }, false))).toEqual(['a', 'b', 'c']);
  });

  it('newest first: the newest limit events after seq, descending, no grouping (T13, T14)', () => {
    const events = [1, 2, 3, 4, 5, 6].map((s) => ev(s, `l${s}`, s <= 3 ? 'old' : 'new'));
    expect(ids(dartListView(events, { seq: undefined, limit: 100 }, true))).toEqual([
      'l6',
      'l5',
      'l4',
      'l3',
      'l2',
      'l1',
    ]);
    expect(ids(dartListView(events, { seq: 1, limit: 5 }, true))).toEqual(['l6', 'l5', 'l4', 'l3', 'l2']);
    expect(ids(dartListView(events, { seq: 1, limit: 2 }, true))).toEqual(['l6', 'l5']);
    expect(ids(dartListView(events, { seq: 6, limit: 5 }, true))).toEqual([]);
  });

  it('reads seq and limit as Dart int.tryParse does, with the repository default limits', () => {
    expect(parseDartListQuery(new URLSearchParams(''), false)).toEqual({ seq: undefined, limit: 100 });
    expect(parseDartListQuery(new URLSearchParams(''), true)).toEqual({ seq: undefined, limit: 5 });
    expect(parseDartListQuery(new URLSearchParams('seq=7&limit=3'), true)).toEqual({ seq: 7, limit: 3 });
    expect(parseDartListQuery(new URLSearchParams('afterSequence=7'), false).seq).toBeUndefined();
    expect(parseDartListQuery(new URLSearchParams('seq=abc&limit=5.0'), false)).toEqual({
      seq: undefined,
      limit: 100,
    });
    expect(parseDartInt('-3')).toBe(-3);
    expect(parseDartInt('+3')).toBe(3);
    expect(parseDartInt('0x10')).toBe(16);
    expect(parseDartInt('')).toBeUndefined();
    expect(parseDartInt('99999999999999999999')).toBeUndefined();
  });

  it('hasMore is "the page is full"', () => {
    expect(dartHasMore(100, 100)).toBe(true);
    expect(dartHasMore(3, 100)).toBe(false);
    expect(dartHasMore(0, 0)).toBe(true);
    expect(dartHasMore(0, -1)).toBe(true);
  });

  it('reads the ids from a stored event', () => {
    expect(viewEventOf({ sequence: 4, json: '{"_event_id":"e","_data_id":"d","serverSequence":4}' })).toEqual(
      {
        sequence: 4,
        eventId: 'e',
        dataId: 'd',
        json: '{"_event_id":"e","_data_id":"d","serverSequence":4}',
      },
    );
    expect(viewEventOf({ sequence: 1, json: '{"_event_id":"e","_data_id":null}' }).dataId).toBeUndefined();
  });
});
