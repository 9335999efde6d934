import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string };

interface Waiter {
  predicate: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
}

/**
 * A WebSocket client that speaks PROTOCOL.md the way a test needs: send frames, wait for the frame that
 * matches, see every frame received and how the connection closed.
 */
export class WsTestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #socket: WebSocket;
  #unclaimed: Frame[] = [];
  #waiters: Waiter[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const waiter = this.#waiters.find((w) => w.predicate(frame));
      if (waiter === undefined) {
        this.#unclaimed.push(frame);
      } else {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      }
    });
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
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const index = this.#unclaimed.findIndex(predicate);
    if (index >= 0) {
      const [frame] = this.#unclaimed.splice(index, 1);
      return Promise.resolve(frame as Frame);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  waitForType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.waitFor((f) => f.type === type, timeoutMs);
  }

  /** Sends `auth` and resolves with `auth_success` or the `error`. */
  async auth(token: string | undefined, extra: Record<string, unknown> = {}): Promise<Frame> {
    this.send({ type: 'auth', ...(token === undefined ? {} : { token }), ...extra });
    return this.waitFor((f) => f.type === 'auth_success' || f.type === 'error');
  }

  /** Sends `request_events` and collects every page until `sync_complete` for that repository. */
  async catchUp(
    repository: string,
    afterSequence = 0,
    timeoutMs = 30_000,
  ): Promise<{ events: Frame[]; lastSequence: number | undefined }> {
    this.send({ type: 'request_events', repository, afterSequence });
    const events: Frame[] = [];
    for (;;) {
      const frame = await this.waitFor(
        (f) =>
          (f.type === 'events' || f.type === 'sync_complete' || f.type === 'error') &&
          f['repository'] === repository,
        timeoutMs,
      );
      if (frame.type === 'error') throw new Error(`catch-up refused: ${JSON.stringify(frame)}`);
      if (frame.type === 'sync_complete')
        return { events, lastSequence: frame['lastSequence'] as number | undefined };
      events.push(...(frame['events'] as Frame[]));
    }
  }

  /** Every event received in `events` frames of that repository so far, in arrival order. */
  eventsOf(repository: string): Frame[] {
    return this.frames
      .filter((f) => f.type === 'events' && f['repository'] === repository)
      .flatMap((f) => f['events'] as Frame[]);
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    this.#socket.close();
    await this.closed;
  }

  terminate(): void {
    this.#socket.terminate();
  }
}
