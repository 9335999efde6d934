import type { PushEventsBatchMessage } from '@lfsync/contracts';
import type { Cancel, Clock } from '../clock.ts';
import type { LocalStore } from '../local/local-store.ts';

export interface PushOptions {
  /** Events per `push_events_batch` frame. */
  readonly batchSize: number;
  /** Events sent and not yet acknowledged, at most; more wait for acks (flow control). */
  readonly maxInFlightEvents: number;
  /** Events not acknowledged after this long are sent again (the server is idempotent by `_event_id`). */
  readonly ackTimeoutMs: number;
}

export const DEFAULT_PUSH: PushOptions = { batchSize: 200, maxInFlightEvents: 1_000, ackTimeoutMs: 30_000 };

interface Batch {
  readonly eventIds: readonly string[];
  readonly cancelTimeout: Cancel;
}

/**
 * Sends the queue of one connection: in write order, per repository, in bounded batches, with a bound on
 * unacknowledged events. What the server does not acknowledge in time, or asks to retry, is sent again.
 */
export class PushFlow {
  readonly #store: LocalStore;
  readonly #send: (message: PushEventsBatchMessage) => void;
  readonly #clock: Clock;
  readonly #options: PushOptions;
  #batchSize: number;
  readonly #inFlight = new Set<string>();
  readonly #batches = new Set<Batch>();
  #enabled = false;
  #flushQueued = false;
  /** The end of the longest retry delay asked for; `#resume` is pending until then. */
  #pausedUntilMs = 0;
  /** Pending while sending is paused: set by `retryLater`. */
  #resume: Cancel | undefined;

  constructor(options: {
    readonly store: LocalStore;
    readonly send: (message: PushEventsBatchMessage) => void;
    readonly clock: Clock;
    readonly push: PushOptions;
  }) {
    this.#store = options.store;
    this.#send = options.send;
    this.#clock = options.clock;
    this.#options = options.push;
    this.#batchSize = Math.max(1, options.push.batchSize);
  }

  /** Starts sending (after catch-up) and sends what is queued. */
  enable(): void {
    this.#enabled = true;
    this.flush();
  }

  /** Sends what fits, once the current task is done (so that a burst of writes goes out in one batch). */
  schedule(): void {
    if (this.#flushQueued || !this.#enabled) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.flush();
    });
  }

  flush(): void {
    if (!this.#enabled || this.#resume !== undefined) return;
    for (const repository of this.#store.repositoryNames) {
      const unsent = this.#store
        .repository(repository)
        .unacknowledged()
        .filter((entry) => !this.#inFlight.has(entry.event._event_id));
      let next = 0;
      while (next < unsent.length) {
        const room = Math.min(this.#batchSize, this.#options.maxInFlightEvents - this.#inFlight.size);
        if (room <= 0) return;
        const entries = unsent.slice(next, next + room);
        next += entries.length;
        const eventIds = entries.map((entry) => entry.event._event_id);
        for (const eventId of eventIds) this.#inFlight.add(eventId);
        const batch: Batch = {
          eventIds,
          cancelTimeout: this.#clock.schedule(this.#options.ackTimeoutMs, () => this.#timedOut(batch)),
        };
        this.#batches.add(batch);
        this.#send({ type: 'push_events_batch', repository, events: entries.map((entry) => entry.event) });
      }
    }
  }

  /** Acknowledged or dropped: no longer waited for. */
  settled(eventIds: readonly string[]): void {
    for (const eventId of eventIds) this.#inFlight.delete(eventId);
    for (const batch of this.#batches) {
      if (batch.eventIds.every((id) => !this.#inFlight.has(id))) {
        batch.cancelTimeout();
        this.#batches.delete(batch);
      }
    }
    this.schedule();
  }

  /**
   * The server asked to retry these events later (all in flight when `eventIds` is undefined). The pause
   * ends when its timer fires, not when `now()` passes its end: Node runs timers on a monotonic clock and
   * `Date.now()` reads the wall clock, so a timer may fire while `now()` is still a millisecond short (or
   * the wall clock was set back), and then nothing would send the queue again.
   */
  retryLater(eventIds: readonly string[] | undefined, delayMs: number): void {
    this.settled(eventIds ?? [...this.#inFlight]);
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, this.#clock.now() + delayMs);
    this.#resume?.();
    this.#resume = this.#clock.schedule(Math.max(0, this.#pausedUntilMs - this.#clock.now()), () => {
      this.#resume = undefined;
      this.flush();
    });
  }

  /** The batch was too large for the server: halve the batch size and send these again. */
  shrinkBatches(eventIds: readonly string[] | undefined): void {
    this.#batchSize = Math.max(1, Math.floor(this.#batchSize / 2));
    this.settled(eventIds ?? [...this.#inFlight]);
  }

  get batchSize(): number {
    return this.#batchSize;
  }

  dispose(): void {
    this.#enabled = false;
    for (const batch of this.#batches) batch.cancelTimeout();
    this.#batches.clear();
    this.#inFlight.clear();
    this.#resume?.();
    this.#resume = undefined;
  }

  #timedOut(batch: Batch): void {
    this.#batches.delete(batch);
    for (const eventId of batch.eventIds) this.#inFlight.delete(eventId);
    this.flush();
  }
}
