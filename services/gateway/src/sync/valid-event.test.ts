import { clientEventSchema } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { validEvent } from './valid-event.ts';

const insert = {
  _event_id: 'e1',
  _operation: 0,
  _created_at: '2026-11-30T07:00:00.000Z',
  _data: { id: 'a' },
};

/** Inputs from JSON, as the gateway receives them. */
const CASES: Record<string, string> = {
  insert: JSON.stringify(insert),
  'epoch ms': JSON.stringify({ ...insert, _created_at: 1_764_486_000_000 }),
  'named operation': JSON.stringify({ ...insert, _operation: 'update' }),
  delete: JSON.stringify({ _event_id: 'e1', _operation: 2, _created_at: 1, _data_id: 'a' }),
  'delete without _data_id': JSON.stringify({ _event_id: 'e1', _operation: 'delete', _created_at: 1 }),
  'insert without _data': JSON.stringify({ _event_id: 'e1', _operation: 0, _created_at: 1 }),
  'keys in another order': JSON.stringify({
    extra: true,
    _data: { id: 'a' },
    _created_at: 1,
    _operation: 1,
    _event_id: 'x',
  }),
  'client serverSequence and _id': JSON.stringify({ ...insert, serverSequence: 7, _id: 'x', more: 1 }),
  'unknown keys after the shape': JSON.stringify({ ...insert, _data_id: 'a', note: 'n' }),
  'empty id': JSON.stringify({ ...insert, _event_id: '' }),
  'long id': JSON.stringify({ ...insert, _event_id: 'x'.repeat(129) }),
  'numeric id': JSON.stringify({ ...insert, _event_id: 5 }),
  'bad operation': JSON.stringify({ ...insert, _operation: 3 }),
  'bad timestamp': JSON.stringify({ ...insert, _created_at: '30.11.2026' }),
  'unsafe epoch': JSON.stringify({ ...insert, _created_at: 2 ** 60 }),
  'negative epoch': JSON.stringify({ ...insert, _created_at: -1 }),
  'fractional epoch': JSON.stringify({ ...insert, _created_at: 1.5 }),
  'array _data': JSON.stringify({ ...insert, _data: [1] }),
  'null _data': JSON.stringify({ ...insert, _data: null }),
  'empty _data_id': JSON.stringify({ ...insert, _data_id: '' }),
  'long _data_id': JSON.stringify({ ...insert, _data_id: 'd'.repeat(257) }),
  '__proto__ in the event': `{"__proto__":{"x":1},${JSON.stringify(insert).slice(1)}`,
  '__proto__ in _data': JSON.stringify({ ...insert, _data: {} }).replace(
    '"_data":{}',
    '"_data":{"__proto__":{"x":1},"k":2}',
  ),
  array: '[1]',
  string: '"event"',
  null: 'null',
};

describe('validEvent', () => {
  it.each(Object.entries(CASES))('agrees with clientEventSchema: %s', (_name, json) => {
    const fast = validEvent(JSON.parse(json));
    const parsed = clientEventSchema.safeParse(JSON.parse(json));
    if (fast === undefined) return;
    expect(parsed.success).toBe(true);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
  });

  it('takes the common event as it is, without a copy', () => {
    const raw = JSON.parse(CASES['insert'] as string) as unknown;
    expect(validEvent(raw)).toBe(raw);
  });

  it('leaves every invalid event to the schema', () => {
    for (const [name, json] of Object.entries(CASES)) {
      if (!clientEventSchema.safeParse(JSON.parse(json)).success)
        expect(validEvent(JSON.parse(json)), name).toBeUndefined();
    }
  });

  it('accepts the valid events it can check without zod', () => {
    const accepted = Object.entries(CASES)
      .filter(([, json]) => validEvent(JSON.parse(json)) !== undefined)
      .map(([name]) => name);
    expect(accepted).toEqual([
      'insert',
      'epoch ms',
      'named operation',
      'delete',
      'keys in another order',
      'client serverSequence and _id',
      'unknown keys after the shape',
    ]);
  });
});
