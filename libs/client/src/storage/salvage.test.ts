import { describe, expect, it } from 'vitest';
import { salvageRows } from './salvage.ts';

const record = (repository: string, id: string, sequence: number) => ({
  repository,
  id,
  version: {
    eventId: `e-${id}`,
    createdAt: '2025-01-01T00:00:00.000Z',
    data: { id },
    serverSequence: sequence,
  },
});
const pending = (id: string, order: number) => ({
  order,
  repository: 'todo',
  event: { _event_id: id, _operation: 0, _created_at: '2025-01-01T00:00:00.000Z', _data_id: id, _data: {} },
});

describe('salvageRows', () => {
  it('returns a readable state as it is, without a repair', () => {
    const state = salvageRows({
      records: [record('todo', 'a', 1)],
      cursors: [{ repository: 'todo', cursor: 1 }],
      pending: [pending('p1', 1)],
    });
    expect(state.repair).toBeUndefined();
    expect(state.cursors).toEqual({ todo: 1 });
    expect(state.pending).toHaveLength(1);
  });

  it('keeps readable rows and the readable queue; the repository that lost a record starts over', () => {
    const state = salvageRows({
      records: [
        record('todo', 'a', 1),
        { repository: 'todo', id: 'b', version: 'garbage' },
        record('note', 'n', 4),
      ],
      cursors: [
        { repository: 'todo', cursor: 2 },
        { repository: 'note', cursor: 4 },
      ],
      pending: [pending('p1', 1), { order: 'x' }, pending('p2', 2)],
    });
    expect(state.records.map((r) => r.id)).toEqual(['a', 'n']);
    expect(state.cursors).toEqual({ todo: 0, note: 4 });
    expect(state.pending.map((p) => p.event._event_id)).toEqual(['p1', 'p2']);
    expect(state.repair).toEqual({
      reason: 'unreadable rows',
      reset: false,
      droppedRecords: 1,
      droppedPending: 1,
      keptPending: 2,
      resetCursors: ['todo'],
    });
  });

  it('starts every repository over when a lost row cannot be attributed', () => {
    const state = salvageRows({
      records: [record('todo', 'a', 1), null, record('note', 'n', 4)],
      cursors: [
        { repository: 'todo', cursor: 2 },
        { repository: 'note', cursor: 4 },
      ],
      pending: [],
    });
    expect(state.cursors).toEqual({ todo: 0, note: 0 });
    expect(state.repair?.resetCursors).toEqual(['todo', 'note']);
  });
});
