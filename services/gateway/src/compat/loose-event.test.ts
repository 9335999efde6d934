import { clientEventSchema } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { hasEventIdKey, withDartDefaults } from './loose-event.ts';

const now = Date.UTC(2026, 10, 29, 12, 0, 0);

describe('withDartDefaults', () => {
  it('turns a bare Dart test event into a valid insert that keeps its fields at the top', () => {
    const event = withDartDefaults({ _event_id: 'e1', id: 'u1', username: 'U' }, now);
    expect(event).toEqual({
      _event_id: 'e1',
      id: 'u1',
      username: 'U',
      _operation: 0,
      _created_at: '2026-11-29T12:00:00.000Z',
      _data: { id: 'u1', username: 'U' },
    });
    expect(clientEventSchema.safeParse(event).success).toBe(true);
  });

  it('leaves what the client gave, and gives a delete no _data', () => {
    const update = { _event_id: 'e2', _operation: 1, _created_at: 5, _data: { a: 1 }, b: 2 };
    expect(withDartDefaults(update, now)).toEqual(update);
    const remove = withDartDefaults({ _event_id: 'e3', _operation: 'delete', _data_id: 'x' }, now);
    expect(remove).not.toHaveProperty('_data');
    expect(clientEventSchema.safeParse(remove).success).toBe(true);
  });

  it('leaves non-objects for validation to refuse', () => {
    for (const raw of [null, 3, 'x', [1]]) expect(withDartDefaults(raw, now)).toBe(raw);
    expect(clientEventSchema.safeParse(withDartDefaults({ id: 'no event id' }, now)).success).toBe(false);
  });
});

describe('hasEventIdKey', () => {
  it('checks only that the key is there, as the Dart server does', () => {
    expect(hasEventIdKey({ _event_id: null })).toBe(true);
    expect(hasEventIdKey({ id: 1 })).toBe(false);
    expect(hasEventIdKey([])).toBe(false);
  });
});
