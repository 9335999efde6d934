import { AppError, errorFrame, type ErrorFrameContext } from '@lfsync/contracts';
import type { Clock } from '@lfsync/ports';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { GatewayMetrics } from '../metrics.ts';
import { BacklogWatch, type WatchedHandle } from './backlog-watch.ts';
import { wireFrame, type Frame } from './frames.ts';

export interface SocketLimits {
  maxOutboundBytes: number;
  slowConsumerTimeoutMs: number;
  /** `protocol`: WebSocket ping frames; `json`: `{"type":"ping"}` text frames, as the Dart server sends. */
  heartbeat: 'protocol' | 'json';
  /** The heartbeat's period: how long a peer behind a backlog may take to reach a ping depends on it. */
  pingIntervalMs: number;
  /** `readers`: Nagle's algorithm except while a push waits for its ack (`TCP_NAGLE`); `off` by default. */
  nagle?: 'off' | 'readers';
}

const WRITABLE_POLL_MS = 10;
/** Frames held for one write at the end of the tick, up to this size (then written at once). */
const COALESCE_BYTES = 16 * 1024;
const CLOSE_GRACE_MS = 5_000;

/** The connection under `ws`: a `net.Socket`, whose handle tells how many bytes libuv holds for the kernel. */
type Connection = Writable & {
  readonly _handle?: WatchedHandle | null;
  /** Bytes written so far, those still queued included. */
  readonly bytesWritten?: number;
  setNoDelay?(noDelay: boolean): unknown;
};

/** A session's socket: frames out (with back-pressure), errors, closing, liveness. */
export class SessionSocket {
  readonly #ws: WebSocket;
  readonly #connection: Connection | undefined;
  /**
   * Set with `TCP_NAGLE=readers`. A client that reads more slowly than frames come then gets them in few
   * segments, not one small segment each: a receive queue of small segments outgrows what the kernel
   * granted the window for, so it collapses them and then drops packets, each drop a retransmission
   * timeout. With 5,000 sessions this took 112,755–187,489 deliveries/s against 5,023–35,771 without
   * (2026-12-02-session14-ab.md). While a push waits for its ack, frames leave at once: the ack must not
   * wait for the client's TCP acknowledgement of the frame before it.
   */
  readonly #nagle: ((on: boolean) => void) | undefined;
  /** The connection under `ws`, for writing shared frames whole; undefined when they go through `ws`. */
  readonly #transport: Writable | undefined;
  readonly #limits: SocketLimits;
  readonly #clock: Clock;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  #alive = true;
  readonly #backlog: BacklogWatch;
  /** Pushes of this session waiting for their ack (see `holdForAck`). */
  #pushes = 0;
  /** Frames of this tick not yet written (see `#queue`), and their size. */
  #outbox: Buffer[] = [];
  #outboxBytes = 0;
  readonly #flushLater = () => this.#flush();

  constructor(
    ws: WebSocket,
    transport: Connection | undefined,
    limits: SocketLimits,
    clock: Clock,
    metrics: GatewayMetrics,
    logger: Logger,
  ) {
    this.#ws = ws;
    this.#connection = transport;
    const setNoDelay = limits.nagle === 'readers' ? transport?.setNoDelay?.bind(transport) : undefined;
    this.#nagle = setNoDelay === undefined ? undefined : (on) => setNoDelay(!on);
    this.#nagle?.(true);
    // With an extension (permessage-deflate) frames differ per connection, and `ws` may queue them.
    this.#transport = ws.extensions === '' ? transport : undefined;
    this.#limits = limits;
    this.#clock = clock;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#backlog = new BacklogWatch(() => transport?._handle, limits.pingIntervalMs);
    ws.on('pong', () => this.pong());
    ws.on('error', (err) => this.#logger.debug({ err }, 'socket error'));
  }

  markAlive(): void {
    this.#alive = true;
  }

  /** An answer to a ping (a protocol pong, or a JSON one with `HEARTBEAT=json`). */
  pong(): void {
    this.#backlog.ponged();
    this.markAlive();
  }

  /**
   * Called on every heartbeat tick: a connection that sent nothing since the last ping (no pong, no frame)
   * is dropped, unless it may be reading a backlog that holds the ping up.
   */
  heartbeat(): void {
    if (!this.#backlog.mayBeReading() && !this.#alive) {
      this.#logger.debug('no pong, terminating');
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#limits.heartbeat === 'json') this.send('{"type":"ping"}');
    else this.#ws.ping();
    this.#backlog.pinged(this.#connection?.bytesWritten);
  }

  send(frame: Frame): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    if (this.#unsent() > this.#limits.maxOutboundBytes) {
      this.#dropSlowConsumer('send buffer overflow: read faster or reconnect and catch up');
      return false;
    }
    // Without extensions `ws` writes every frame at once, so writes of our own keep the frames in order.
    const transport = this.#transport;
    if (transport !== undefined) {
      const wire = typeof frame === 'string' ? wireFrame(frame) : frame.wire;
      if (this.#pushes > 0 || this.#outbox.length > 0) this.#queue(wire);
      else transport.write(wire);
    } else if (typeof frame === 'string') this.#ws.send(frame);
    else this.#ws.send(frame.payload, { binary: false });
    return true;
  }

  /**
   * Sends an ack. It and the frames held for it (its commit's events frame) leave at once, in one write:
   * the commit's frames to the other sessions wait for the microtasks to end (session-registry.ts).
   */
  sendAck(frame: string): boolean {
    const sent = this.send(frame);
    if (sent) this.#flush();
    return sent;
  }

  /**
   * While a push of this session waits for its ack, frames are held to the end of their tick: the commit's
   * `events` frame and the ack it releases then leave in one write. Call the returned function once the
   * push is answered. A session that only reads writes each frame at once.
   */
  holdForAck(): () => void {
    if ((this.#pushes += 1) === 1) this.#nagle?.(false);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if ((this.#pushes -= 1) === 0) this.#nagle?.(true);
    };
  }

  /** Whether a push of this session waits for its ack. */
  get awaitingAck(): boolean {
    return this.#pushes > 0;
  }

  /** Bytes sent and not yet taken by the kernel. */
  #unsent(): number {
    return this.#ws.bufferedAmount + this.#outboxBytes;
  }

  /** Holds the frame until the end of the tick (after the microtasks), or less when frames pile up. */
  #queue(wire: Buffer): void {
    if (this.#outbox.push(wire) === 1) process.nextTick(this.#flushLater);
    this.#outboxBytes += wire.length;
    if (this.#outboxBytes >= COALESCE_BYTES) this.#flush();
  }

  #flush(): void {
    const outbox = this.#outbox;
    const transport = this.#transport;
    if (outbox.length === 0 || transport === undefined) return;
    this.#outbox = [];
    this.#outboxBytes = 0;
    // Closing: `ws` refuses frames from here on (it may have sent its close frame already).
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (outbox.length === 1) return void transport.write(outbox[0]);
    transport.cork();
    for (const wire of outbox) transport.write(wire);
    transport.uncork();
  }

  sendError(error: AppError, context: ErrorFrameContext = {}): void {
    this.#metrics.rejections.inc({ code: error.code });
    this.send(errorFrame(error, context));
  }

  /** Sends the error, then closes with its close code (1008 when the code has none). */
  closeWithError(error: AppError): void {
    this.#metrics.rejections.inc({ code: error.code });
    this.#flush();
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(errorFrame(error));
    this.close(error.spec.closeCode ?? 1008, error.code);
    // A peer that does not read never answers the close handshake; don't hold its buffers for long.
    this.#clock.schedule(CLOSE_GRACE_MS, () => this.#ws.terminate());
  }

  close(code: number, reason: string): void {
    this.#flush();
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING)
      this.#ws.close(code, reason);
  }

  /** Resolves true once the send buffer is half empty; false if the socket closed or stayed full too long. */
  writable(): Promise<boolean> {
    const deadline = this.#clock.now() + this.#limits.slowConsumerTimeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        if (this.#ws.readyState !== WebSocket.OPEN) return resolve(false);
        if (this.#unsent() < this.#limits.maxOutboundBytes / 2) return resolve(true);
        if (this.#clock.now() >= deadline) {
          this.#dropSlowConsumer('not reading: reconnect and catch up');
          return resolve(false);
        }
        this.#clock.schedule(WRITABLE_POLL_MS, check);
      };
      check();
    });
  }

  #dropSlowConsumer(message: string): void {
    this.#metrics.slowConsumers.inc();
    this.#logger.warn({ bufferedBytes: this.#ws.bufferedAmount }, 'slow consumer disconnected');
    this.closeWithError(new AppError('SLOW_CONSUMER', message));
  }
}
