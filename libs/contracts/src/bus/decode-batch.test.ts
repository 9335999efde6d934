import { describe, expect, it } from 'vitest';
import { decodeSequencedBatch } from './decode-batch.ts';

const batch = {
  repository: 'r',
  fromSequence: 1,
  toSequence: 1,
  events: [{ _event_id: 'e1', _operation: 0, _created_at: 0, serverSequence: 1 }],
};

describe('decodeSequencedBatch', () => {
  it('decodes a batch from bytes and from text alike', () => {
    const text = JSON.stringify(batch);
    expect(decodeSequencedBatch(text)).toEqual({ ok: true, batch });
    expect(decodeSequencedBatch(new TextEncoder().encode(text))).toEqual({ ok: true, batch });
  });

  it('refuses what is not JSON, and JSON that is not a consistent batch, with a reason', () => {
    expect(decodeSequencedBatch(new Uint8Array([0xff, 0x00]))).toEqual({ ok: false, reason: 'not JSON' });
    const inconsistent = decodeSequencedBatch(JSON.stringify({ ...batch, toSequence: 2 }));
    expect(inconsistent.ok).toBe(false);
    if (!inconsistent.ok) expect(inconsistent.reason).toContain('sequence range does not match events');
    expect(decodeSequencedBatch('null').ok).toBe(false);
  });
});
