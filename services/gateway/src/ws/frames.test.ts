import { ackMessageSchema } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { ackFrame, SharedFrame } from './frames.ts';

/** Reads an unmasked, final WebSocket frame per RFC 6455 §5.2: opcode and payload. */
function readFrame(wire: Buffer): { fin: boolean; opcode: number; masked: boolean; payload: string } {
  const first = wire[0] ?? 0;
  const second = wire[1] ?? 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = wire.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(wire.readBigUInt64BE(2));
    offset = 10;
  }
  expect(wire.length).toBe(offset + length);
  return {
    fin: (first & 0x80) !== 0,
    opcode: first & 0x0f,
    masked: (second & 0x80) !== 0,
    payload: wire.subarray(offset).toString('utf8'),
  };
}

describe('SharedFrame', () => {
  // Each length encoding at its edges; `é` takes 2 bytes, so 63 of them need the 16-bit length.
  it.each(['', 'x'.repeat(125), 'é'.repeat(63), 'x'.repeat(65_535), 'x'.repeat(65_536), 'é'.repeat(40_000)])(
    'is a whole unmasked text frame (payload of %#)',
    (text) => {
      const frame = new SharedFrame(text);
      expect(readFrame(frame.wire)).toEqual({ fin: true, opcode: 1, masked: false, payload: text });
      expect(frame.payload.toString('utf8')).toBe(text);
    },
  );
});

describe('ackFrame', () => {
  it('lists every acknowledged id, under its repository, with its sequence (ids JSON-escaped)', () => {
    const results = [
      { eventId: 'a', sequence: 7, duplicate: false },
      { eventId: 'quote"back\\slash', sequence: 8, duplicate: true },
      { eventId: 'ünï', sequence: 9, duplicate: false },
    ];
    const ack = ackMessageSchema.parse(JSON.parse(ackFrame('doc:1', results)));
    const ids = results.map((r) => r.eventId);
    expect(ack).toEqual({
      type: 'ack',
      eventIds: ids,
      repositories: { 'doc:1': ids },
      sequences: { a: 7, 'quote"back\\slash': 8, ünï: 9 },
    });
  });
});
