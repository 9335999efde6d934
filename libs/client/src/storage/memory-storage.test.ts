import { describe, expect, it } from 'vitest';
import { MemoryStorage } from './memory-storage.ts';

describe('MemoryStorage', () => {
  it('applies put-then-delete of pending entries and shares no objects with its callers', async () => {
    const storage = new MemoryStorage();
    const data = { v: 1 };
    await storage.apply({
      records: [{ repository: 'r', id: 'a', version: { eventId: 'e', createdAt: 1, data } }],
      cursors: { r: 3 },
      putPending: [
        {
          order: 1,
          repository: 'r',
          event: { _event_id: 'p', _operation: 2, _created_at: 'x', _data_id: 'a' },
        },
      ],
      deletePending: [],
    });
    data.v = 2;
    await storage.apply({ records: [], cursors: {}, putPending: [], deletePending: ['p'] });
    const state = await storage.load();
    expect(state).toEqual({
      records: [{ repository: 'r', id: 'a', version: { eventId: 'e', createdAt: 1, data: { v: 1 } } }],
      cursors: { r: 3 },
      pending: [],
    });
  });
});
