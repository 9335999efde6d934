import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

interface Waiting {
  take(reply: Msg): boolean;
  timer: NodeJS.Timeout;
  resolve(): void;
  reject(err: unknown): void;
}

/** No (final) reply within the request's wait. */
export class ReplyTimeoutError extends Error {
  override readonly name = 'ReplyTimeoutError';
}

/**
 * Requests answered on one subscription of this process's own, each on its own reply subject under it.
 * nats.js's `request` and `requestMany` build an Error with a stack trace for every request, even one that
 * is answered, and `requestMany` a queued iterator besides; the batched index look-up is one request per
 * append.
 */
export class ReplyInbox {
  readonly #nc: NatsConnection;
  readonly #prefix = createInbox();
  readonly #waiting = new Map<number, Waiting>();
  readonly #subscription: Subscription;
  #next = 0;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    this.#subscription = nc.subscribe(`${this.#prefix}.*`, {
      callback: (err, msg) => {
        if (err === null) this.#deliver(msg);
      },
    });
  }

  /**
   * Publishes `data` and passes each reply to `take` until it returns true: then the request resolves. It
   * rejects when `take` throws (with that error) or when `timeoutMs` passes first (`ReplyTimeoutError`).
   */
  request(subject: string, data: string, timeoutMs: number, take: (reply: Msg) => boolean): Promise<void> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.#take(id)?.reject(new ReplyTimeoutError(`no reply from ${subject} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiting.set(id, { take, timer, resolve, reject });
      try {
        this.#nc.publish(subject, data, { reply: `${this.#prefix}.${id}` });
      } catch (err) {
        this.#take(id)?.reject(err);
      }
    });
  }

  close(): void {
    this.#subscription.unsubscribe();
    for (const id of [...this.#waiting.keys()])
      this.#take(id)?.reject(new ReplyTimeoutError('the inbox was closed'));
  }

  #deliver(reply: Msg): void {
    const id = Number(reply.subject.slice(this.#prefix.length + 1));
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return; // timed out or settled already
    try {
      if (waiting.take(reply)) this.#take(id)?.resolve();
    } catch (err) {
      this.#take(id)?.reject(err);
    }
  }

  /** The request, no longer waiting. */
  #take(id: number): Waiting | undefined {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return undefined;
    clearTimeout(waiting.timer);
    this.#waiting.delete(id);
    return waiting;
  }
}
