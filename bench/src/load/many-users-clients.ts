import WebSocket from 'ws';
interface Frame {
  type: string;
  repository?: string;
  events?: Array<{ _data?: { t?: number } }>;
  eventIds?: string[];
  code?: string;
}

/** Opens an authenticated session and resolves once `subscriptions` are all confirmed. */
export function openSubscriber(
  url: string,
  token: string,
  subscriptions: readonly string[],
  onLatencyUs: (latencyUs: number) => void,
  timeoutMs = 60_000,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const pending = new Set(subscriptions);
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    const fail = (reason: string) => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(reason));
    };
    ws.once('error', (err) => fail(err.message));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'events') {
        const now = Date.now();
        for (const event of frame.events ?? [])
          if (typeof event._data?.t === 'number') onLatencyUs((now - event._data.t) * 1000);
      } else if (frame.type === 'auth_success') {
        for (const repository of subscriptions) ws.send(JSON.stringify({ type: 'subscribe', repository }));
      } else if (frame.type === 'subscribed' && frame.repository !== undefined) {
        pending.delete(frame.repository);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve(ws);
        }
      } else if (frame.type === 'error') {
        fail(`error ${frame.code ?? '?'}`);
      }
    });
  });
}

/** A pushing session: one event per push, at most `window` unacknowledged. */
export class Pusher {
  readonly #ws: WebSocket;
  readonly #waiting = new Map<string, () => void>();
  #next = 0;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame;
      for (const id of frame.type === 'ack' || frame.type === 'error' ? (frame.eventIds ?? []) : []) {
        this.#waiting.get(id)?.();
        this.#waiting.delete(id);
      }
    });
  }

  static open(url: string, token: string): Promise<Pusher> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
      ws.once('message', () => resolve(new Pusher(ws)));
    });
  }

  push(repository: string): Promise<void> {
    const id = `mu-${process.pid}-${(this.#next += 1)}`;
    const event = { _event_id: id, _operation: 0, _created_at: Date.now(), _data: { id, t: Date.now() } };
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#ws.send(JSON.stringify({ type: 'push_event', repository, event }));
    });
  }

  /** Pushes one event to each repository, `window` at a time. */
  async pushAll(repositories: readonly string[], window = 200): Promise<void> {
    let index = 0;
    const lane = async () => {
      while (index < repositories.length) await this.push(repositories[index++] as string);
    };
    await Promise.all(Array.from({ length: window }, lane));
  }

  close(): void {
    this.#ws.close();
  }
}
