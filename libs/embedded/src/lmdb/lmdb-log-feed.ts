import { systemClock, type Cancel, type Clock, type LogDelivery, type LogFeed } from '@lfsync/ports';
import { LmdbConsumerCursor } from './lmdb-consumer-cursor.ts';
import type { LmdbEnvironment } from './lmdb-environment.ts';
import type { LmdbSequenceLog, LogEntry } from './lmdb-sequence-log.ts';

const TRIM_INTERVAL_MS = 1_000;

/**
 * The embedded counterpart of the persister's JetStream durable consumer: the log in order, from the
 * stored cursor on. Entries asked to be retried later come again (before newer ones) after their delay;
 * whatever was not acknowledged before a stop or crash comes again after the restart.
 */
export class LmdbLogFeed implements LogFeed {
  readonly #log: LmdbSequenceLog;
  readonly #cursor: LmdbConsumerCursor;
  readonly #clock: Clock;
  readonly #retryTimers = new Set<Cancel>();
  readonly #unsubscribe: () => void;
  #nextPosition: number;
  #retries: LogEntry[] = [];
  #signalled = false;
  #wake: (() => void) | undefined;
  #closed = false;
  #trimmedAt = Number.NEGATIVE_INFINITY;

  constructor(
    env: LmdbEnvironment,
    log: LmdbSequenceLog,
    options: { consumerName?: string; clock?: Clock } = {},
  ) {
    this.#log = log;
    this.#cursor = new LmdbConsumerCursor(env, options.consumerName ?? 'persister');
    this.#clock = options.clock ?? systemClock;
    this.#nextPosition = this.#cursor.floor + 1;
    this.#unsubscribe = log.onAppend(() => this.#signal());
  }

  async next(max: number): Promise<LogDelivery[]> {
    while (!this.#closed) {
      this.#signalled = false;
      const entries = this.#take(max);
      if (entries.length > 0) return entries.map((entry) => this.#delivery(entry));
      if (!this.#signalled) await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    return [];
  }

  /**
   * Stores the cursor (losing this write only means delivering again what was done since), then, at most
   * once per TRIM_INTERVAL_MS, trims the log up to it.
   */
  async checkpoint(): Promise<void> {
    await this.#cursor.save();
    if (this.#clock.now() - this.#trimmedAt < TRIM_INTERVAL_MS) return;
    this.#trimmedAt = this.#clock.now();
    await this.#log.trim(this.#cursor.floor);
  }

  /**
   * The time before which every log entry is done (stored): the append time of the first entry above the
   * cursor, or now when none waits — what `StoreBackedEventIndex` needs to know the index covers the rest.
   */
  persistedBefore(): Promise<number> {
    const [waiting] = this.#log.read(this.#cursor.floor, 1);
    return Promise.resolve(waiting?.appendedAt ?? this.#clock.now());
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    for (const cancel of this.#retryTimers) cancel();
    this.#retryTimers.clear();
    this.#signal();
    return Promise.resolve();
  }

  #signal(): void {
    this.#signalled = true;
    this.#wake?.();
  }

  /** Retries first (in log order), then fresh entries, `max` in all. */
  #take(max: number): LogEntry[] {
    this.#retries.sort((a, b) => a.position - b.position);
    const retried = this.#retries.slice(0, max);
    const fresh = retried.length < max ? this.#log.read(this.#nextPosition - 1, max - retried.length) : [];
    this.#retries = this.#retries.slice(retried.length);
    this.#nextPosition = (fresh.at(-1)?.position ?? this.#nextPosition - 1) + 1;
    return [...retried, ...fresh];
  }

  /** Settles once: after an ack or reject, a retry request is ignored (as JetStream ignores a late nak). */
  #delivery(entry: LogEntry): LogDelivery {
    let settled = false;
    const done = () => {
      settled = true;
      this.#cursor.done(entry.position);
    };
    return {
      data: entry.data,
      ack: done,
      reject: done,
      retryLater: (delayMs) => {
        if (settled || this.#closed) return;
        settled = true;
        const cancel = this.#clock.schedule(delayMs, () => {
          this.#retryTimers.delete(cancel);
          this.#retries.push(entry);
          this.#signal();
        });
        this.#retryTimers.add(cancel);
      },
      // Nothing redelivers behind the persister's back while it works: there is no ack deadline in-process.
      working: () => undefined,
    };
  }
}
