import { clientMessageSchema } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { pushBatchMessage } from './push-batch-message.ts';

const batch = { type: 'push_events_batch', repository: 'notes', events: [{ _event_id: 'a' }, 5] };

/** Frames as the gateway receives them (JSON text). */
const CASES: Record<string, string> = {
  batch: JSON.stringify(batch),
  'empty batch': JSON.stringify({ ...batch, events: [] }),
  'extra keys': JSON.stringify({ extra: 1, ...batch, more: { x: 1 } }),
  'another type': JSON.stringify({ ...batch, type: 'push_event' }),
  'no repository': JSON.stringify({ type: 'push_events_batch', events: [] }),
  'empty repository': JSON.stringify({ ...batch, repository: '' }),
  'repository with a dot': JSON.stringify({ ...batch, repository: 'a.b' }),
  'long repository': JSON.stringify({ ...batch, repository: 'r'.repeat(65) }),
  'numeric repository': JSON.stringify({ ...batch, repository: 7 }),
  'events an object': JSON.stringify({ ...batch, events: { 0: {} } }),
  'events missing': JSON.stringify({ type: 'push_events_batch', repository: 'notes' }),
  '__proto__ key': `{"__proto__":{"x":1},${JSON.stringify(batch).slice(1)}`,
  array: JSON.stringify([batch]),
  null: 'null',
};

describe('pushBatchMessage', () => {
  it.each(Object.entries(CASES))('agrees with clientMessageSchema: %s', (_name, json) => {
    const fast = pushBatchMessage(JSON.parse(json));
    const parsed = clientMessageSchema.safeParse(JSON.parse(json));
    if (fast === undefined) return;
    expect(parsed.success).toBe(true);
    expect(fast).toEqual(parsed.data);
  });

  it('leaves every invalid frame to the schema', () => {
    for (const [name, json] of Object.entries(CASES)) {
      if (!clientMessageSchema.safeParse(JSON.parse(json)).success)
        expect(pushBatchMessage(JSON.parse(json)), name).toBeUndefined();
    }
  });

  it('takes the valid batch pushes as they are', () => {
    const accepted = Object.entries(CASES)
      .filter(([, json]) => pushBatchMessage(JSON.parse(json)) !== undefined)
      .map(([name]) => name);
    expect(accepted).toEqual(['batch', 'empty batch', 'extra keys']);
  });
});
