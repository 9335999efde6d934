import { AppError } from '@lfsync/contracts';
import { FakeClock } from '@lfsync/testkit';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createGatewayMetrics } from '../metrics.ts';
import { SharedFrame } from './frames.ts';
import { SessionSocket } from './session-socket.ts';

const OPEN = 1;
const CLOSING = 2;

/** The payload of each whole frame in `wire` (unmasked, lengths up to 16 bits). */
function payloads(wire: Buffer): string[] {
  const texts: string[] = [];
  for (let at = 0; at < wire.length;) {
    const short = (wire[at + 1] ?? 0) & 0x7f;
    const [length, offset] = short === 126 ? [wire.readUInt16BE(at + 2), 4] : [short, 2];
    texts.push(wire.toString('utf8', at + offset, at + offset + length));
    at += offset + length;
  }
  return texts;
}

/** A socket over a transport that records each write (a `writev` is one write), and a fake `ws` beside it. */
function setUp() {
  const writes: string[][] = [];
  const transport = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(payloads(chunk));
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.flatMap(({ chunk }) => payloads(chunk as Buffer)));
      done();
    },
  });
  const ws = {
    readyState: OPEN,
    bufferedAmount: 0,
    extensions: '',
    on: () => ws,
    send: (text: string) => writes.push([`ws:${text}`]),
    close: () => {
      ws.readyState = CLOSING;
    },
    terminate: () => undefined,
  };
  const limits = {
    maxOutboundBytes: 64 * 1024,
    slowConsumerTimeoutMs: 1_000,
    heartbeat: 'protocol' as const,
  };
  const logger = pino({ level: 'silent' });
  const socket = new SessionSocket(
    ws as unknown as WebSocket,
    transport,
    limits,
    new FakeClock(),
    createGatewayMetrics(),
    logger,
  );
  return { socket, ws, writes };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SessionSocket', () => {
  it('writes each frame at once while no push waits for its ack', () => {
    const { socket, writes } = setUp();
    socket.send(new SharedFrame('{"type":"events"}'));
    socket.send('{"type":"pong"}');
    expect(writes).toEqual([['{"type":"events"}'], ['{"type":"pong"}']]);
  });

  it("writes a pusher's frames of one tick together, in order, once the microtasks ran", async () => {
    const { socket, writes } = setUp();
    socket.holdForAck();
    socket.send(new SharedFrame('{"type":"events"}'));
    await Promise.resolve();
    socket.send('{"type":"pong"}');
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toEqual([['{"type":"events"}', '{"type":"pong"}']]);
  });

  it('writes an ack with the frames held for it at once, without waiting for the end of the tick', async () => {
    const { socket, writes } = setUp();
    const release = socket.holdForAck();
    socket.send(new SharedFrame('{"type":"events"}'));
    await Promise.resolve();
    socket.sendAck('{"type":"ack"}');
    expect(writes).toEqual([['{"type":"events"}', '{"type":"ack"}']]);
    release();
    socket.send('{"type":"pong"}');
    await tick();
    expect(writes).toEqual([['{"type":"events"}', '{"type":"ack"}'], ['{"type":"pong"}']]);
  });

  it('writes at once what reaches the coalescing size', () => {
    const { socket, writes } = setUp();
    socket.holdForAck();
    const large = `"${'x'.repeat(20_000)}"`;
    socket.send('{"type":"pong"}');
    socket.send(large);
    expect(writes).toEqual([['{"type":"pong"}', large]]);
  });

  it('sends the frames held before an error that closes the connection', () => {
    const { socket, writes } = setUp();
    socket.holdForAck();
    socket.send('{"type":"ack"}');
    socket.closeWithError(new AppError('PROTOCOL_VIOLATION', 'too many invalid frames'));
    expect(writes[0]).toEqual(['{"type":"ack"}']);
    expect(writes[1]?.[0]).toContain('PROTOCOL_VIOLATION');
  });

  it('drops the frames held when the connection started closing meanwhile', async () => {
    const { socket, ws, writes } = setUp();
    socket.holdForAck();
    socket.send('{"type":"ack"}');
    ws.readyState = CLOSING;
    await tick();
    expect(writes).toEqual([]);
  });

  it('counts held frames against the outbound limit', () => {
    const { socket, ws, writes } = setUp();
    socket.holdForAck();
    ws.bufferedAmount = 64 * 1024 - 10;
    expect(socket.send('{"type":"ack"}')).toBe(true);
    expect(socket.send('{"type":"ack"}')).toBe(false);
    expect(writes.flat().some((frame) => frame.includes('SLOW_CONSUMER'))).toBe(true);
  });
});
