import { AppError, errorFrame, type ErrorFrameContext } from '@lfsync/contracts';
import type { Clock } from '@lfsync/ports';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { GatewayMetrics } from '../metrics.ts';
import type { Frame } from './frames.ts';

export interface SocketLimits {
  maxOutboundBytes: number;
  slowConsumerTimeoutMs: number;
  /** `protocol`: WebSocket ping frames; `json`: `{"type":"ping"}` text frames, as the Dart server sends. */
  heartbeat: 'protocol' | 'json';
}

const WRITABLE_POLL_MS = 10;
const CLOSE_GRACE_MS = 5_000;

/** A session's socket: frames out (with back-pressure), errors, closing, liveness. */
export class SessionSocket {
  readonly #ws: WebSocket;
  /** The connection under `ws`, for writing shared frames whole; undefined when they go through `ws`. */
  readonly #transport: Writable | undefined;
  readonly #limits: SocketLimits;
  readonly #clock: Clock;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  #alive = true;

  constructor(
    ws: WebSocket,
    transport: Writable | undefined,
    limits: SocketLimits,
    clock: Clock,
    metrics: GatewayMetrics,
    logger: Logger,
  ) {
    this.#ws = ws;
    // With an extension (permessage-deflate) frames differ per connection, and `ws` may queue them.
    this.#transport = ws.extensions === '' ? transport : undefined;
    this.#limits = limits;
    this.#clock = clock;
    this.#metrics = metrics;
    this.#logger = logger;
    ws.on('pong', () => this.markAlive());
    ws.on('error', (err) => this.#logger.debug({ err }, 'socket error'));
  }

  markAlive(): void {
    this.#alive = true;
  }

  /**
   * Called on every heartbeat tick: a connection that sent nothing since the last ping (no pong, no frame)
   * is dropped.
   */
  heartbeat(): void {
    if (!this.#alive) {
      this.#logger.debug('no pong, terminating');
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#limits.heartbeat === 'json') this.send('{"type":"ping"}');
    else this.#ws.ping();
  }

  send(frame: Frame): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    if (this.#ws.bufferedAmount > this.#limits.maxOutboundBytes) {
      this.#dropSlowConsumer('send buffer overflow: read faster or reconnect and catch up');
      return false;
    }
    if (typeof frame === 'string') this.#ws.send(frame);
    // Without extensions `ws` writes every frame at once, so a write of our own keeps the frames in order.
    else if (this.#transport !== undefined) this.#transport.write(frame.wire);
    else this.#ws.send(frame.payload, { binary: false });
    return true;
  }

  sendError(error: AppError, context: ErrorFrameContext = {}): void {
    this.#metrics.rejections.inc({ code: error.code });
    this.send(errorFrame(error, context));
  }

  /** Sends the error, then closes with its close code (1008 when the code has none). */
  closeWithError(error: AppError): void {
    this.#metrics.rejections.inc({ code: error.code });
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(errorFrame(error));
    this.close(error.spec.closeCode ?? 1008, error.code);
    // A peer that does not read never answers the close handshake; don't hold its buffers for long.
    this.#clock.schedule(CLOSE_GRACE_MS, () => this.#ws.terminate());
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING)
      this.#ws.close(code, reason);
  }

  /** Resolves true once the send buffer is half empty; false if the socket closed or stayed full too long. */
  writable(): Promise<boolean> {
    const deadline = this.#clock.now() + this.#limits.slowConsumerTimeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        if (this.#ws.readyState !== WebSocket.OPEN) return resolve(false);
        if (this.#ws.bufferedAmount < this.#limits.maxOutboundBytes / 2) return resolve(true);
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
