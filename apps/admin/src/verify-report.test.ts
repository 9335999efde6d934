import type { SequencedBatch } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { verifyRepository, type LogEntry } from './verify-report.ts';

const stored = (...ids: string[]) => ids.map((eventId, i) => ({ sequence: i + 1, eventId }));

function batch(streamSequence: number, fromSequence: number, ids: string[]): LogEntry {
  const events = ids.map((id, i) => ({
    _event_id: id,
    _operation: 0,
    _created_at: 0,
    _data: {},
    serverSequence: fromSequence + i,
  }));
  const decoded: SequencedBatch = {
    repository: 'r',
    fromSequence,
    toSequence: fromSequence + ids.length - 1,
    events,
  } as SequencedBatch;
  return { streamSequence, decoded: { ok: true, batch: decoded } };
}

describe('verifyRepository', () => {
  it('is clean when store and log agree', () => {
    const report = verifyRepository(3, stored('a', 'b', 'c'), [batch(1, 1, ['a', 'b']), batch(7, 3, ['c'])]);
    expect(report).toMatchObject({ head: 3, storedEvents: 3, logEvents: 3, problems: [], notes: [] });
  });

  it('is clean for an empty repository', () => {
    expect(verifyRepository(0, [], []).problems).toEqual([]);
  });

  it('finds gaps in the store, as ranges', () => {
    const events = [1, 4, 6].map((sequence) => ({ sequence, eventId: `e${sequence}` }));
    const log = [batch(1, 1, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'])];
    expect(verifyRepository(6, events, log).problems).toEqual([
      'store: missing sequence 2..3',
      'store: missing sequence 5',
    ]);
  });

  it('finds an event id stored at two sequences', () => {
    const report = verifyRepository(2, stored('a', 'a'), [batch(1, 1, ['a', 'a'])]);
    expect(report.problems).toContain('store: event id "a" at sequences 1 and 2');
    expect(report.problems).toContain('log: event id "a" at sequences 1 and 2');
  });

  it('finds where store and log disagree', () => {
    const report = verifyRepository(2, stored('a', 'b'), [batch(1, 1, ['a', 'x'])]);
    expect(report.problems).toEqual(['sequence 2: store has "b", log has "x"']);
  });

  it('finds a log behind or ahead of the store, a break in the log, and undecodable messages', () => {
    expect(verifyRepository(2, stored('a', 'b'), [batch(1, 1, ['a'])]).problems).toEqual([
      "log: ends at sequence 1, the store's head is 2",
      'log: sequence 2 missing',
    ]);
    expect(verifyRepository(1, stored('a'), [batch(1, 1, ['a', 'b'])]).problems).toEqual([
      'store: head 1 is behind the log (last sequence 2)',
    ]);
    const broken = verifyRepository(3, stored('a', 'b', 'c'), [batch(1, 1, ['a']), batch(2, 3, ['c'])]);
    expect(broken.problems).toContain('log: message 2 starts at 3, expected 2');
    const garbage: LogEntry = { streamSequence: 9, decoded: { ok: false, reason: 'not JSON' } };
    expect(verifyRepository(0, [], [garbage]).problems).toEqual([
      'log: message 9 is not a sequenced batch (not JSON)',
    ]);
  });

  it('notes, without failing, events above the head and a log trimmed by limits', () => {
    const report = verifyRepository(
      3,
      [...stored('a', 'b', 'c'), { sequence: 4, eventId: 'd' }],
      [batch(5, 2, ['b', 'c'])],
    );
    expect(report.problems).toEqual([]);
    expect(report.notes).toEqual([
      'store: 1 event(s) above head 3 (not yet committed)',
      'log: starts at sequence 2 (older messages removed by limits)',
    ]);
  });
});
