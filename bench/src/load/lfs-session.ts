import { controlReading } from '@lfsync/testkit';
import WebSocket from 'ws';
import type { Endpoint } from './messages.ts';
import { openSocket } from './open-socket.ts';

/** An event as the gateway sends it (only what the generators look at). */
export interface ReceivedEvent {
  _event_id: string;
  serverSequence: number;
  _data?: { t?: number; seq?: number };
}

export interface LfsHandlers {
  /** Live broadcasts and catch-up pages; when unset, `events` frames are skipped without parsing. */
  onEvents?: ((repository: string, events: ReceivedEvent[], bytes: number) => void) | undefined;
  onAck?: ((eventIds: string[], sequences: Record<string, number>) => void) | undefined;
  onError?:
    ((code: string, eventIds: string[] | undefined, frame: Record<string, unknown>) => void) | undefined;
  onSyncComplete?: ((repository: string, lastSequence: number | undefined) => void) | undefined;
  onClose?: ((code: number, reason: string) => void) | undefined;
}

// The gateway builds `events` frames with this exact prefix (services/gateway/src/ws/frames.ts).
const EVENTS_PREFIX = '{"type":"events"';

/**
 * A lean protocol client for load generation: one socket, callbacks instead of queues, and `events` frames
 * that nobody listens to are dropped after a 16-byte prefix check instead of a JSON.parse.
 */
export class LfsSession {
  readonly handlers: LfsHandlers;
  readonly #socket: WebSocket;
  #restoreReading: (() => void) | undefined;
  /** Set while `connect` waits for the verdict on its auth frame. */
  #authWaiter: ((ok: boolean, reason: string) => void) | undefined;

  private constructor(socket: WebSocket, handlers: LfsHandlers) {
    this.#socket = socket;
    this.handlers = handlers;
    socket.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      if (data.length > 16 && data.toString('latin1', 0, 16) === EVENTS_PREFIX) {
        const onEvents = this.handlers.onEvents;
        if (onEvents === undefined) return;
        const frame = JSON.parse(data.toString()) as { repository: string; events: ReceivedEvent[] };
        onEvents(frame.repository, frame.events, data.length);
        return;
      }
      this.#dispatch(JSON.parse(data.toString()) as Record<string, unknown>);
    });
    socket.on('close', (code, reason) => this.handlers.onClose?.(code, reason.toString()));
  }

  /** Opens the socket, authenticates, resolves once `auth_success` arrived. */
  static connect(
    endpoint: Endpoint,
    token: string,
    handlers: LfsHandlers = {},
    timeoutMs = 30_000,
  ): Promise<LfsSession> {
    return openSocket(endpoint, timeoutMs, (socket, done) => {
      const session = new LfsSession(socket, handlers);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
      session.#authWaiter = (ok, reason) => done(ok ? undefined : reason);
      return session;
    });
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  send(frame: string): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame);
  }

  requestEvents(repository: string, afterSequence: number): void {
    this.send(JSON.stringify({ type: 'request_events', repository, afterSequence }));
  }

  terminate(): void {
    this.#socket.terminate();
  }

  close(): void {
    this.#socket.close();
  }

  /**
   * Stops reading from the socket until `resumeReading`: the kernel buffers fill, then the gateway's send
   * buffer grows.
   */
  pauseReading(): void {
    const reading = controlReading(this.#socket);
    reading.socket.pause();
    this.#restoreReading = reading.release;
  }

  resumeReading(): void {
    const restore = this.#restoreReading ?? controlReading(this.#socket).release;
    this.#restoreReading = undefined;
    restore();
  }

  #dispatch(frame: Record<string, unknown>): void {
    switch (frame['type']) {
      case 'auth_success':
        this.#authWaiter?.(true, '');
        this.#authWaiter = undefined;
        return;
      case 'ack':
        this.handlers.onAck?.(
          frame['eventIds'] as string[],
          (frame['sequences'] ?? {}) as Record<string, number>,
        );
        return;
      case 'sync_complete':
        this.handlers.onSyncComplete?.(
          frame['repository'] as string,
          frame['lastSequence'] as number | undefined,
        );
        return;
      case 'error': {
        const code = typeof frame['code'] === 'string' ? frame['code'] : 'UNKNOWN';
        if (this.#authWaiter !== undefined) {
          this.#authWaiter(false, `auth refused: ${code}`);
          this.#authWaiter = undefined;
          return;
        }
        this.handlers.onError?.(code, frame['eventIds'] as string[] | undefined, frame);
        return;
      }
      default:
        return;
    }
  }
}
