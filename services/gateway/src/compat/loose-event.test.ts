import { describe, expect, it } from 'vitest';
import { checkDartBatchBody, hasEventIdKey, looseEventSchema } from './loose-event.ts';

describe('loose events', () => {
  it('accept any object with a string _event_id, as sent, without server fields', () => {
    expect(
      looseEventSchema.parse({ _event_id: 'e1', id: 'u', username: 'U', serverSequence: 9, _id: 'x' }),
    ).toEqual({ _event_id: 'e1', id: 'u', username: 'U' });
    expect(looseEventSchema.safeParse({ _event_id: null }).success).toBe(false);
    expect(looseEventSchema.safeParse({ id: 'u' }).success).toBe(false);
    expect(looseEventSchema.safeParse({ _event_id: 'x'.repeat(129) }).success).toBe(false);
  });

  it('check the Dart body rules before anything is stored', () => {
    expect(hasEventIdKey({ _event_id: null })).toBe(true);
    expect(hasEventIdKey({ id: 'u' })).toBe(false);
    expect(hasEventIdKey([])).toBe(false);
    expect(checkDartBatchBody({ events: 'not an array' })).toEqual({
      ok: false,
      error: 'invalidEventsArray',
    });
    expect(checkDartBatchBody(null)).toEqual({ ok: false, error: 'invalidEventsArray' });
    expect(checkDartBatchBody({ events: [{ _event_id: 'a' }, { id: 'b' }] })).toEqual({
      ok: false,
      error: 'batchMissingEventId',
    });
    expect(checkDartBatchBody({ events: [] })).toEqual({ ok: true, events: [] });
  });
});
