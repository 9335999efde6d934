import { describe, expect, it } from 'vitest';
import { decodeBatchJson } from './decode-batch-json.ts';
import { decodeSequencedBatch } from './decode-batch.ts';

const event = (sequence: number, extra: Record<string, unknown> = {}) => ({
  _event_id: `e${sequence}`,
  _operation: 0,
  _created_at: '2026-11-30T08:00:00.000Z',
  _data: { id: `d${sequence}`, text: 'a "quoted" [bracket] {brace} \\ back,slash', nested: [[1, { x: [] }]] },
  ...extra,
  serverSequence: sequence,
});
const batch = { repository: 'doc:1', fromSequence: 4, toSequence: 6, events: [event(4), event(5), event(6)] };

/** Whatever the path, the outcome must be the zod path's: same verdict, same events. */
function expectAsZod(text: string): void {
  const decoded = decodeBatchJson(text);
  const reference = decodeSequencedBatch(text);
  expect(decoded.ok).toBe(reference.ok);
  if (decoded.ok && reference.ok) {
    expect(decoded.batch).toEqual(reference.batch);
    expect(decoded.eventsJson.map((e) => JSON.parse(e) as unknown)).toEqual(reference.batch.events);
  }
}

describe('decodeBatchJson', () => {
  it('cuts each event out of a sequencer-written message, as sent', () => {
    const texts = batch.events.map((e) => JSON.stringify(e));
    const decoded = decodeBatchJson(new TextEncoder().encode(JSON.stringify(batch)));
    expect(decoded).toEqual({ ok: true, batch, eventsJson: texts });
  });

  it('keeps the texts of events whose keys are in any order, and their unknown keys', () => {
    const odd = {
      serverSequence: 1,
      _data: { id: 'x' },
      custom: [1, '"]'],
      _created_at: 5,
      _operation: 'insert',
      _event_id: 'a',
    };
    const text = JSON.stringify({ ...batch, fromSequence: 1, toSequence: 1, events: [odd] });
    expect(decodeBatchJson(text)).toEqual({
      ok: true,
      batch: JSON.parse(text) as unknown,
      eventsJson: [JSON.stringify(odd)],
    });
  });

  it('decodes messages of another shape through zod', () => {
    const reordered = JSON.stringify({
      events: batch.events,
      repository: 'doc:1',
      fromSequence: 4,
      toSequence: 6,
    });
    expectAsZod(reordered);
    expect(decodeBatchJson(reordered).ok).toBe(true);
    expectAsZod(JSON.stringify(batch, null, 2));
    expectAsZod(JSON.stringify({ ...batch, extra: [1] }));
  });

  it('rejects what the schema rejects, with its reason', () => {
    const broken = [
      '{"repository":"doc:1","fromSequence":1,"toSequence":1,"events":[',
      JSON.stringify({ ...batch, toSequence: 7 }),
      JSON.stringify({ ...batch, repository: 'bad name' }),
      JSON.stringify({ ...batch, fromSequence: 0, toSequence: 2 }),
      JSON.stringify({ ...batch, events: [event(4), event(6), event(5)] }),
      JSON.stringify({ ...batch, events: [event(4), event(5), { ...event(6), _event_id: '' }] }),
      JSON.stringify({ ...batch, events: [event(4), event(5), { ...event(6), _operation: 3 }] }),
      JSON.stringify({ ...batch, events: [event(4), event(5), { ...event(6), _created_at: 'yesterday' }] }),
      JSON.stringify({ ...batch, events: [event(4), event(5), { ...event(6), _data: [1] }] }),
      JSON.stringify({ ...batch, events: [event(4), event(5), { ...event(6), _data_id: 7 }] }),
      JSON.stringify({ ...batch, events: [event(4), event(5), 6] }),
      JSON.stringify({ ...batch, fromSequence: 1, toSequence: 0, events: [] }),
      'null',
    ];
    for (const text of broken) {
      expectAsZod(text);
      expect(decodeBatchJson(text)).toEqual(decodeSequencedBatch(text));
    }
  });

  it('accepts what the schema accepts', () => {
    expectAsZod(
      JSON.stringify({
        ...batch,
        events: [event(4), event(5), { ...event(6), _data: undefined, _operation: 'delete', _data_id: '' }],
      }),
    );
    expectAsZod(JSON.stringify({ ...batch, events: [event(4), event(5), { ...event(6), _created_at: 0 }] }));
    expectAsZod(JSON.stringify({ ...batch, repository: 'a'.repeat(64) }));
    expectAsZod(JSON.stringify({ ...batch, repository: 'a'.repeat(65) }));
  });
});
