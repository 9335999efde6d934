import WebSocket from 'ws';
import { count } from './util.ts';

interface Frame {
  type: string;
  repository?: string;
  events?: Array<{ _data?: { t?: number; measured?: boolean } }>;
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
          if (event._data?.measured === true && typeof event._data.t === 'number')
            onLatencyUs((now - event._data.t) * 1000);
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

/** How a pusher's pushes ended: acked, or by error code, `timeout` or the socket's close code. */
export interface PushTally {
  acked: number;
  failures: Record<string, number>;
}

/**
 * A pushing session: one event per push. Every push settles — acked, refused, timed out or cut off by the
 * socket closing — so a lost ack shows in the tally instead of stalling the scenario. The session subscribes
 * to a repository nobody writes to: it receives nothing, and the gateway does not decode every commit for it
 * (a session that never subscribed receives everything it may read).
 */
export class Pusher {
  readonly tally: PushTally = { acked: 0, failures: {} };
  readonly #ws: WebSocket;
  readonly #timeoutMs: number;
  readonly #waiting = new Map<string, (outcome: string) => void>();
  #closed: string | undefined;
  #next = 0;

  private constructor(ws: WebSocket, timeoutMs: number) {
    this.#ws = ws;
    this.#timeoutMs = timeoutMs;
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame;
      const outcome = frame.type === 'ack' ? 'ack' : `error ${frame.code ?? '?'}`;
      if (frame.type === 'ack' || frame.type === 'error')
        for (const id of frame.eventIds ?? []) this.#waiting.get(id)?.(outcome);
    });
    ws.on('close', (code) => {
      this.#closed = `closed ${code}`;
      for (const settle of [...this.#waiting.values()]) settle(this.#closed);
    });
  }

  static open(url: string, token: string, quietRepository: string, timeoutMs = 30_000): Promise<Pusher> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
      const onFrame = (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'auth_success')
          ws.send(JSON.stringify({ type: 'subscribe', repository: quietRepository }));
        else if (frame.type === 'subscribed') {
          ws.off('message', onFrame);
          resolve(new Pusher(ws, timeoutMs));
        } else if (frame.type === 'error') reject(new Error(`pusher: error ${frame.code ?? '?'}`));
      };
      ws.on('message', onFrame);
    });
  }

  /**
   * Resolves once the push settled (see `tally`) with whether it was acked; never rejects. Subscribers time
   * only `measured` events (not those of an earlier phase that arrive late).
   */
  push(repository: string, measured = false): Promise<boolean> {
    const id = `mu-${process.pid}-${(this.#next += 1)}`;
    const data = { id, t: Date.now(), ...(measured ? { measured } : {}) };
    const event = { _event_id: id, _operation: 0, _created_at: Date.now(), _data: data };
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle('timeout'), this.#timeoutMs);
      const settle = (outcome: string) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        if (outcome === 'ack') this.tally.acked += 1;
        else count(this.tally.failures, outcome);
        resolve(outcome === 'ack');
      };
      if (this.#closed !== undefined) return settle(this.#closed);
      this.#waiting.set(id, settle);
      this.#ws.send(JSON.stringify({ type: 'push_event', repository, event }));
    });
  }

  /** Pushes that did not get an ack, whatever the reason. */
  get failed(): number {
    return Object.values(this.tally.failures).reduce((a, b) => a + b, 0);
  }

  /**
   * Pushes one event to each repository, `window` at a time; `onProgress` after every 1,000. Gives up once
   * `maxFailures` pushes failed (a stalled pipeline would otherwise cost a timeout per push).
   */
  async pushAll(
    repositories: readonly string[],
    window = 200,
    onProgress: (done: number) => void = () => {},
    maxFailures = 200,
  ): Promise<void> {
    let index = 0;
    let done = 0;
    const failedBefore = this.failed;
    const lane = async () => {
      while (index < repositories.length && this.failed - failedBefore < maxFailures) {
        await this.push(repositories[index++] as string);
        if ((done += 1) % 1_000 === 0) onProgress(done);
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
    if (this.failed - failedBefore >= maxFailures)
      throw new Error(
        `gave up after ${this.failed - failedBefore} failed pushes (${JSON.stringify(this.tally.failures)}): is the pipeline stalled?`,
      );
  }

  close(): void {
    this.#ws.close();
  }
}
