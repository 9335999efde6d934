import type { SequenceResult } from '@lfsync/contracts';

/** A text frame: a string, or a broadcast's frame built once for every session. */
export type Frame = string | SharedFrame;

/** FIN bit and opcode 1 (text). */
const FIN_TEXT = 0x81;

/**
 * A text frame sent to many sessions: its payload, and the whole WebSocket frame (see `wireFrame`), the
 * same bytes for every session. A socket writes `wire` as is: no header built and joined per send.
 */
export class SharedFrame {
  readonly payload: Buffer;
  readonly wire: Buffer;

  constructor(text: string) {
    this.wire = wireFrame(text);
    const headerBytes = this.wire[1] === 127 ? 10 : this.wire[1] === 126 ? 4 : 2;
    this.payload = this.wire.subarray(headerBytes);
  }
}

/**
 * A whole unfragmented text frame, header and payload in one Buffer (RFC 6455 §5.2: a server's frames are
 * unmasked, so they need nothing of the connection).
 */
export function wireFrame(text: string): Buffer {
  const payloadBytes = Buffer.byteLength(text);
  const headerBytes = payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10;
  const wire = Buffer.allocUnsafe(headerBytes + payloadBytes);
  wire[0] = FIN_TEXT;
  if (headerBytes === 2) wire[1] = payloadBytes;
  else if (headerBytes === 4) {
    wire[1] = 126;
    wire.writeUInt16BE(payloadBytes, 2);
  } else {
    wire[1] = 127;
    wire.writeBigUInt64BE(BigInt(payloadBytes), 2);
  }
  wire.write(text, headerBytes, 'utf8');
  return wire;
}

/** Server frames are built as strings: a broadcast is serialised once, not once per session. */
export function eventsFrame(repository: string, eventsJson: readonly string[]): string {
  return `{"type":"events","repository":${JSON.stringify(repository)},"events":[${eventsJson.join(',')}]}`;
}

/** Each event of a committed batch as the JSON clients receive: computed once per commit per gateway. */
/** Built as a string: each event id is quoted once for its three places, no objects built to be stringified. */
export function ackFrame(repository: string, results: readonly SequenceResult[]): string {
  let eventIds = '';
  let sequences = '';
  for (const { eventId, sequence } of results) {
    const id = JSON.stringify(eventId);
    const separator = eventIds === '' ? '' : ',';
    eventIds += separator + id;
    sequences += `${separator}${id}:${sequence}`;
  }
  return `{"type":"ack","eventIds":[${eventIds}],"repositories":{${JSON.stringify(repository)}:[${eventIds}]},"sequences":{${sequences}}}`;
}

export function syncCompleteFrame(repository: string | undefined, lastSequence: number | undefined): string {
  return JSON.stringify({
    type: 'sync_complete',
    ...(repository === undefined ? {} : { repository }),
    ...(lastSequence === undefined ? {} : { lastSequence }),
  });
}

export function snapshotFrame(repository: string, sequence: number, eventsJson: readonly string[]): string {
  return `{"type":"snapshot","repository":${JSON.stringify(repository)},"sequence":${sequence},"events":[${eventsJson.join(',')}]}`;
}

export function snapshotCompleteFrame(repository: string, sequence: number, count: number): string {
  return JSON.stringify({ type: 'snapshot_complete', repository, sequence, count });
}
