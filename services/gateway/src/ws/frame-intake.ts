import { AppError } from '@lfsync/contracts';
import type WebSocket from 'ws';
import type { GatewayMetrics } from '../metrics.ts';
import { parseClientFrame, type ReceivedMessage } from './parse-client-frame.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { SessionSocket } from './session-socket.ts';

export interface IntakeLimits {
  maxFrameBytes: number;
  invalidFrameLimit: number;
}

/**
 * Every frame a session receives passes here first: rate limit, size, JSON, schema. Valid messages go
 * on; invalid ones are answered, and a client that keeps sending them is disconnected.
 */
export class FrameIntake {
  readonly #socket: SessionSocket;
  readonly #limiter: RateLimiter;
  readonly #limits: IntakeLimits;
  readonly #metrics: GatewayMetrics;
  #invalidFrames = 0;

  constructor(socket: SessionSocket, limiter: RateLimiter, limits: IntakeLimits, metrics: GatewayMetrics) {
    this.#socket = socket;
    this.#limiter = limiter;
    this.#limits = limits;
    this.#metrics = metrics;
  }

  /** The message in the frame, or undefined when it was refused (the client has been told why). */
  receive(data: WebSocket.RawData, isBinary: boolean): ReceivedMessage | undefined {
    this.#socket.markAlive();
    const retryAfterMs = this.#limiter.take();
    if (retryAfterMs > 0) {
      this.#socket.sendError(new AppError('RATE_LIMITED', 'too many messages', { retryAfterMs }));
      return undefined;
    }
    const parsed = parseClientFrame(data, isBinary, this.#limits.maxFrameBytes);
    if (!parsed.ok) {
      this.#invalid(parsed.error, parsed.eventIds);
      return undefined;
    }
    this.#metrics.frames.inc({ type: parsed.message.type });
    return parsed;
  }

  #invalid(error: AppError, eventIds: string[]): void {
    this.#invalidFrames += 1;
    this.#socket.sendError(error, eventIds.length > 0 ? { eventIds } : {});
    if (this.#invalidFrames > this.#limits.invalidFrameLimit)
      this.#socket.closeWithError(new AppError('PROTOCOL_VIOLATION', 'too many invalid frames'));
  }
}
