import { describe, expect, it } from 'vitest';
import { sequencedBatchSchema, sequenceReplySchema } from './messages.ts';

const event = (seq: number) => ({
  _event_id: `e${seq}`,
  _operation: 0,
  _created_at: 0,
  _data: {},
  serverSequence: seq,
});

describe('bus messages', () => {
  it('accepts a consecutive sequenced batch', () => {
    expect(
      sequencedBatchSchema.safeParse({
        repository: 'r',
        fromSequence: 3,
        toSequence: 4,
        events: [event(3), event(4)],
      }).success,
    ).toBe(true);
  });
  it('rejects a batch whose events are not consecutive', () => {
    expect(
      sequencedBatchSchema.safeParse({
        repository: 'r',
        fromSequence: 3,
        toSequence: 4,
        events: [event(3), event(5)],
      }).success,
    ).toBe(false);
    expect(
      sequencedBatchSchema.safeParse({
        repository: 'r',
        fromSequence: 3,
        toSequence: 5,
        events: [event(3), event(4)],
      }).success,
    ).toBe(false);
  });
  it('parses both reply shapes', () => {
    expect(
      sequenceReplySchema.parse({ ok: true, results: [{ eventId: 'a', sequence: 1, duplicate: false }] }).ok,
    ).toBe(true);
    expect(sequenceReplySchema.safeParse({ ok: false, code: 'NOPE', message: 'x' }).success).toBe(false);
  });
});
