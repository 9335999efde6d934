import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

const SEQ_FIELD = Buffer.from('"seq":');
const ERROR_FIELD = Buffer.from('"error"');

interface PendingWrite {
  revisions: number[];
  waiting: number;
  timer: NodeJS.Timeout;
  resolve(revisions: number[]): void;
  reject(err: Error): void;
}

/** A JetStream publish of the batch was refused, not answered, or answered with an error. */
export class JetStreamWriteError extends Error {
  override readonly name = 'JetStreamWriteError';
}

/**
 * Stores many messages in JetStream with one acknowledgement subscription for all of them: each message
 * is a plain publish whose reply subject names its batch and place, and the batch resolves with the
 * stream sequences once every message is acknowledged. A `js.publish` per message costs a request object,
 * a timer, a promise and a header object each; the event-id index writes one message per event, and
 * those were a quarter of the sequencer's time at load.
 */
export class JetStreamBatchWriter {
  readonly #nc: NatsConnection;
  readonly #timeoutMs: number;
  readonly #prefix = createInbox();
  readonly #pending = new Map<number, PendingWrite>();
  readonly #subscription: Subscription;
  #nextBatch = 0;

  constructor(nc: NatsConnection, timeoutMs: number) {
    this.#nc = nc;
    this.#timeoutMs = timeoutMs;
    this.#subscription = nc.subscribe(`${this.#prefix}.>`, {
      callback: (err, msg) => {
        if (err === null) this.#acknowledged(msg);
      },
    });
  }

  /** Resolves with each message's stream sequence; rejects if any of them was not stored. */
  write(messages: ReadonlyArray<{ subject: string; data: string | Uint8Array }>): Promise<number[]> {
    if (messages.length === 0) return Promise.resolve([]);
    const batch = this.#nextBatch++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(batch, new JetStreamWriteError(`no acknowledgement in ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      this.#pending.set(batch, {
        revisions: new Array<number>(messages.length).fill(0),
        waiting: messages.length,
        timer,
        resolve,
        reject,
      });
      try {
        for (const [i, { subject, data }] of messages.entries())
          this.#nc.publish(subject, data, { reply: `${this.#prefix}.${batch}.${i}` });
      } catch (err) {
        this.#fail(batch, new JetStreamWriteError('publish failed', { cause: err }));
      }
    });
  }

  close(): void {
    this.#subscription.unsubscribe();
    for (const batch of [...this.#pending.keys()])
      this.#fail(batch, new JetStreamWriteError('the writer was closed'));
  }

  #acknowledged(msg: Msg): void {
    const dot = msg.subject.lastIndexOf('.');
    const batch = Number(msg.subject.slice(this.#prefix.length + 1, dot));
    const pending = this.#pending.get(batch);
    if (pending === undefined) return; // timed out or failed already
    const status = msg.headers?.code ?? 0;
    if (status >= 300) {
      this.#fail(batch, new JetStreamWriteError(`publish failed: ${status} ${msg.headers?.description}`));
      return;
    }
    const ack = parseAck(msg);
    if (typeof ack === 'string') {
      this.#fail(batch, new JetStreamWriteError(ack));
      return;
    }
    const index = Number(msg.subject.slice(dot + 1));
    if (pending.revisions[index] === 0) pending.waiting--;
    pending.revisions[index] = ack;
    if (pending.waiting > 0) return;
    clearTimeout(pending.timer);
    this.#pending.delete(batch);
    pending.resolve(pending.revisions);
  }

  #fail(batch: number, err: Error): void {
    const pending = this.#pending.get(batch);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#pending.delete(batch);
    pending.reject(err);
  }
}

/**
 * The stored message's stream sequence, or why it was not stored. A stored message's acknowledgement is
 * `{"stream":…,"seq":N}` (maybe with a domain), read from its bytes without decoding or JSON.parse;
 * anything else is parsed.
 */
function parseAck(msg: Msg): number | string {
  const bytes = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
  const at = bytes.indexOf(SEQ_FIELD);
  if (at !== -1 && !bytes.includes(ERROR_FIELD)) {
    const seq = digitsAt(bytes, at + SEQ_FIELD.length);
    if (seq > 0) return seq;
  }
  let ack: unknown;
  try {
    ack = JSON.parse(msg.string());
  } catch {
    return 'the acknowledgement is not JSON';
  }
  if (typeof ack !== 'object' || ack === null) return 'the acknowledgement is not an object';
  const { error } = ack as { error?: { description?: unknown } };
  if (error !== undefined) return `publish refused: ${String(error.description)}`;
  return 'the acknowledgement has no sequence';
}

/** The decimal number written at `from` (0 if none). */
function digitsAt(bytes: Uint8Array, from: number): number {
  let value = 0;
  for (let i = from; i < bytes.length; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}
