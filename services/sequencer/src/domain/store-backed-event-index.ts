import { AppError } from '@lfsync/contracts';
import { systemClock, type Clock, type EventIndex, type StoredSequences } from '@lfsync/ports';

/** Where everything older than the returned time (epoch ms) is stored: the persister's progress. */
export type PersistedBefore = () => Promise<number>;

/** How often the persister's progress is asked for at most (a stale answer is only more cautious). */
const PROGRESS_PROBE_INTERVAL_MS = 1_000;

/**
 * The event-id index bounded in time: `recent` (the KV bucket, entries expire after `windowMs`) answers
 * for recent ids, the store for older ones — so a re-push any time later gets its original sequence (I2).
 *
 * An id could be in neither if its index entry expired while its event was not stored yet (a persister
 * stalled for longer than the window). Every log message newer than `persistedBefore()` was indexed when
 * (or after) it was appended, so its entry lives until at least that time plus the window: while the
 * persister is less than `windowMs - marginMs` behind, an id missing from the index is either stored or
 * new. Further behind, look-ups that miss the index are refused (retryable) until the persister catches
 * up — nothing is acked meanwhile anyway, since an ack waits for the store.
 */
export class StoreBackedEventIndex implements EventIndex {
  readonly #recent: EventIndex;
  readonly #store: StoredSequences;
  readonly #windowMs: number;
  readonly #marginMs: number;
  readonly #persistedBefore: PersistedBefore;
  readonly #onLagging: () => void;
  readonly #clock: Clock;
  #progress: { persistedBefore: number; probedAt: number } | undefined;

  constructor(options: {
    recent: EventIndex;
    store: StoredSequences;
    windowMs: number;
    persistedBefore: PersistedBefore;
    /** Called for each look-up refused because the persister lags too far behind (an alert metric). */
    onLagging?: () => void;
    clock?: Clock;
  }) {
    this.#recent = options.recent;
    this.#store = options.store;
    this.#windowMs = options.windowMs;
    // Covers clock skew between this host and NATS, and the time a look-up takes.
    this.#marginMs = Math.max(Math.floor(options.windowMs / 4), 2 * PROGRESS_PROBE_INTERVAL_MS);
    this.#persistedBefore = options.persistedBefore;
    this.#onLagging = options.onLagging ?? (() => undefined);
    this.#clock = options.clock ?? systemClock;
  }

  async getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const found = await this.#recent.getMany(repository, eventIds);
    const missing = eventIds.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    await this.#assertIndexCoversUnpersisted();
    for (const [eventId, sequence] of await this.#store.sequencesOf(repository, missing))
      found.set(eventId, sequence);
    return found;
  }

  putMany(repository: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    return this.#recent.putMany(repository, entries);
  }

  async #assertIndexCoversUnpersisted(): Promise<void> {
    const now = this.#clock.now();
    if (this.#progress === undefined || now - this.#progress.probedAt >= PROGRESS_PROBE_INTERVAL_MS) {
      const persistedBefore = await this.#persistedBefore().catch((err: unknown) => {
        throw new AppError('UNAVAILABLE', "the persister's progress is unknown", {
          cause: err,
          retryAfterMs: 1_000,
        });
      });
      this.#progress = { persistedBefore, probedAt: now };
    }
    const behindMs = this.#clock.now() - this.#progress.persistedBefore;
    if (behindMs < this.#windowMs - this.#marginMs) return;
    this.#progress = undefined;
    this.#onLagging();
    throw new AppError(
      'UNAVAILABLE',
      `the persister is ${Math.round(behindMs / 1000)} s behind, near the event-id index window: pushes wait until it catches up`,
      { retryAfterMs: 5_000 },
    );
  }
}
