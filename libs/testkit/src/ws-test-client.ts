import type {
  AuthSuccessMessage,
  ErrorMessage,
  EventsMessage,
  ServerEvent,
  ServerMessage,
  SyncCompleteMessage,
} from '@lfsync/contracts';
import WebSocket from 'ws';
import {
  parseReceivedFrame,
  type MessageOf,
  type ReceivedFrame,
  type ServerMessageType,
  type UnparsedFrame,
} from './received-frame.ts';
import { controlReading } from './socket-reading.ts';

interface Waiter {
  predicate: (frame: ServerMessage) => boolean;
  resolve: (frame: ServerMessage) => void;
  reject: (error: Error) => void;
}

/**
 * A WebSocket client that speaks docs/protocol.md the way a test needs: send frames, wait for the frame that
 * matches, see every frame received and how the connection closed. Every frame received is parsed with
 * the contracts' `serverMessageSchema`; one that does not parse is kept in `frames` as `unparsed` and
 * fails every wait from then on, so a test never waits past malformed server output.
 */
export class WsTestClient {
  readonly frames: ReceivedFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #socket: WebSocket;
  #unclaimed: ServerMessage[] = [];
  #waiters: Waiter[] = [];
  #unparsed: UnparsedFrame | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => this.#receive(parseReceivedFrame(data, isBinary)));
  }

  static connect(
    url: string,
    options: { headers?: Record<string, string>; origin?: string } = {},
  ): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: options.headers, origin: options.origin });
      const client = new WsTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  /**
   * Connects to a gateway with development auth on (`npm start`) as `username`, authenticated; throws if
   * the gateway refuses.
   */
  static async connectAsDevUser(port: number, username: string): Promise<WsTestClient> {
    const response = await fetch(`http://127.0.0.1:${port}/auth/dev-token`, {
      method: 'POST',
      body: JSON.stringify({ username }),
    });
    const { token } = (await response.json()) as { token: string };
    const client = await WsTestClient.connect(`ws://127.0.0.1:${port}/sync`);
    const reply = await client.auth(token);
    if (reply.type !== 'auth_success') {
      client.terminate();
      throw new Error(`dev-token auth refused: ${JSON.stringify(reply)}`);
    }
    return client;
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  send(frame: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.#socket.send(data, { binary: options.binary ?? false });
  }

  /** The first frame not yet claimed by an earlier wait that matches; waits for it if needed. */
  waitFor<F extends ServerMessage>(
    predicate: (frame: ServerMessage) => frame is F,
    timeoutMs?: number,
  ): Promise<F>;
  waitFor(predicate: (frame: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  waitFor(predicate: (frame: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    if (this.#unparsed !== undefined) return Promise.reject(unparsedError(this.#unparsed));
    const index = this.#unclaimed.findIndex(predicate);
    if (index >= 0) {
      const [frame] = this.#unclaimed.splice(index, 1);
      return Promise.resolve(frame as ServerMessage);
    }
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      const waiter: Waiter = {
        predicate,
        resolve: (frame) => (settle(), resolve(frame)),
        reject: (error) => (settle(), reject(error)),
      };
      const timer = setTimeout(() => waiter.reject(this.#timeoutError(timeoutMs)), timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** The first unclaimed frame of `type` (that also satisfies `where`), narrowed to that message. */
  waitForType<T extends ServerMessageType>(type: T, timeoutMs?: number): Promise<MessageOf<T>>;
  waitForType<T extends ServerMessageType>(
    type: T,
    where: (frame: MessageOf<T>) => boolean,
    timeoutMs?: number,
  ): Promise<MessageOf<T>>;
  waitForType<T extends ServerMessageType>(
    type: T,
    whereOrTimeoutMs?: ((frame: MessageOf<T>) => boolean) | number,
    timeoutMs?: number,
  ): Promise<MessageOf<T>> {
    const where = typeof whereOrTimeoutMs === 'function' ? whereOrTimeoutMs : () => true;
    const isType = (frame: ServerMessage): frame is MessageOf<T> => frame.type === type;
    return this.waitFor(
      (frame): frame is MessageOf<T> => isType(frame) && where(frame),
      typeof whereOrTimeoutMs === 'number' ? whereOrTimeoutMs : timeoutMs,
    );
  }

  /** Sends `auth` and resolves with `auth_success` or the `error`. */
  async auth(
    token: string | undefined,
    extra: Record<string, unknown> = {},
  ): Promise<AuthSuccessMessage | ErrorMessage> {
    this.send({ type: 'auth', ...(token === undefined ? {} : { token }), ...extra });
    return this.waitFor((f) => f.type === 'auth_success' || f.type === 'error');
  }

  /** Sends `request_events` and collects every page until `sync_complete` for that repository. */
  async catchUp(
    repository: string,
    afterSequence = 0,
    timeoutMs = 30_000,
  ): Promise<{ events: ServerEvent[]; lastSequence: number | undefined }> {
    this.send({ type: 'request_events', repository, afterSequence });
    const events: ServerEvent[] = [];
    for (;;) {
      const frame = await this.waitFor(
        (f): f is EventsMessage | SyncCompleteMessage | ErrorMessage =>
          (f.type === 'events' || f.type === 'sync_complete' || f.type === 'error') &&
          f.repository === repository,
        timeoutMs,
      );
      if (frame.type === 'error') throw new Error(`catch-up refused: ${JSON.stringify(frame)}`);
      if (frame.type === 'sync_complete') return { events, lastSequence: frame.lastSequence };
      events.push(...frame.events);
    }
  }

  /** Every event received in `events` frames of that repository so far, in arrival order. */
  eventsOf(repository: string): ServerEvent[] {
    return this.frames.flatMap((f) => (f.type === 'events' && f.repository === repository ? f.events : []));
  }

  /**
   * Stops reading from the socket, like a client that stalls: what the server sends piles up in the
   * kernel's buffers and then in the server's send buffer, until `resumeReading`.
   */
  pauseReading(): void {
    this.#socket.pause();
  }

  resumeReading(): void {
    this.#socket.resume();
  }

  /**
   * Reads one chunk of the socket (up to 64 KiB) every `intervalMs`, like a client that reads but lags
   * behind; returns the function that restores full speed.
   */
  readSlowly(intervalMs: number): () => void {
    // Each chunk pauses the socket; only the timer resumes it.
    const reading = controlReading(this.#socket);
    const pause = () => reading.socket.pause();
    reading.socket.on('data', pause);
    const timer = setInterval(reading.resume, intervalMs);
    return () => {
      clearInterval(timer);
      reading.socket.off('data', pause);
      reading.release();
    };
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    this.#socket.close();
    await this.closed;
  }

  terminate(): void {
    this.#socket.terminate();
  }

  #receive(frame: ReceivedFrame): void {
    this.frames.push(frame);
    if (frame.type === 'unparsed') {
      this.#unparsed ??= frame;
      for (const waiter of [...this.#waiters]) waiter.reject(unparsedError(frame));
      return;
    }
    const waiter = this.#waiters.find((w) => w.predicate(frame));
    if (waiter === undefined) this.#unclaimed.push(frame);
    else waiter.resolve(frame);
  }

  #timeoutError(timeoutMs: number): Error {
    return new Error(
      `timed out after ${timeoutMs} ms waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`,
    );
  }
}

function unparsedError(frame: UnparsedFrame): Error {
  return new Error(
    `the server sent a frame that is not a ServerMessage (${frame.problem}): ${frame.raw.slice(0, 500)}`,
  );
}
