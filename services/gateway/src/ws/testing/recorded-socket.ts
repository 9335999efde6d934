import type { Clock } from '@lfsync/ports';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type WebSocket from 'ws';
import { createGatewayMetrics } from '../../metrics.ts';
import { SessionSocket } from '../session-socket.ts';

// This folder ships in the gateway's image: it imports only the gateway's own dependencies (no test kit).

const OPEN = 1;
export const CLOSING = 2;
/** With it a peer behind a backlog is assumed to read at least 1 MB per beat (`MIN_READ_BYTES_PER_SEC`). */
export const PING_INTERVAL_MS = 4_000;

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

/**
 * A socket over a transport that records each write (a `writev` is one write), and a fake `ws` beside it.
 * `connection.written` is the bytes handed to libuv, `connection.held` those it would still hold for the
 * kernel; `connection.noDelay` records `setNoDelay`.
 */
export function recordedSocket(clock: Clock, options: { nagle?: 'off' | 'readers' } = {}) {
  const writes: string[][] = [];
  const connection = { held: 0, written: 0, noDelay: [] as boolean[] };
  const writable = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(payloads(chunk));
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.flatMap(({ chunk }) => payloads(chunk as Buffer)));
      done();
    },
  });
  const transport = Object.assign(writable, {
    _handle: {
      get writeQueueSize() {
        return connection.held;
      },
      get bytesWritten() {
        return connection.written;
      },
    },
    setNoDelay: (noDelay: boolean) => connection.noDelay.push(noDelay),
  });
  Object.defineProperty(transport, 'bytesWritten', { get: () => connection.written });
  const ws = {
    readyState: OPEN,
    bufferedAmount: 0,
    extensions: '',
    on: () => ws,
    send: (text: string) => writes.push([`ws:${text}`]),
    close: () => {
      ws.readyState = CLOSING;
    },
    pings: 0,
    ping: () => (ws.pings += 1),
    terminated: false,
    terminate: () => {
      ws.terminated = true;
    },
  };
  const limits = {
    maxOutboundBytes: 64 * 1024,
    slowConsumerTimeoutMs: 1_000,
    heartbeat: 'protocol' as const,
    pingIntervalMs: PING_INTERVAL_MS,
    ...options,
  };
  const logger = pino({ level: 'silent' });
  const socket = new SessionSocket(
    ws as unknown as WebSocket,
    transport,
    limits,
    clock,
    createGatewayMetrics(),
    logger,
  );
  return { socket, ws, writes, connection };
}
