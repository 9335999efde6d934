import { systemClock, type Cancel, type Clock, type EventIndex } from '@lfsync/ports';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

/** A sequence alone (kept forever), or a sequence with the time it was indexed (swept after the window). */
type IndexValue = number | [sequence: number, indexedAt: number];

/** A pass over entries without an index time (written without a window): where it stands. */
interface UntimedPass {
  since: number;
  after: [string, string] | null;
}

interface Sweeping {
  cancel: Cancel;
  running: Promise<void> | undefined;
}

export interface LmdbEventIndexOptions {
  /** Entries older than this are removed by the sweep (0 keeps every entry). */
  windowMs?: number;
  clock?: Clock;
}

/** Keys looked at per write transaction (as the log's trim): a sweep never holds the writer for long. */
const SWEEP_BATCH = 10_000;
const SWEEP_INTERVAL_MS = 1_000;
/** Set once no entry lacks an index time (every entry is swept in time). */
const ALL_TIMED = 'all-timed';
const UNTIMED_PASS = 'untimed-pass';

/**
 * The event-id index in LMDB: (repository, event id) → sequence; `putMany` resolves once durable. With a
 * window, an entry is removed once older than it (the counterpart of the KV bucket's `max_age`), by a
 * background sweep in short transactions; `StoreBackedEventIndex` then finds older ids in the store.
 * Entries written without a window (before one was set) are removed one window after it was.
 */
export class LmdbEventIndex implements EventIndex {
  readonly #env: LmdbEnvironment;
  readonly #sequences: Database<IndexValue, [string, string]>;
  readonly #byTime: Database<true, [number, string, string]>;
  readonly #meta: Database<true | UntimedPass, string>;
  readonly #windowMs: number;
  readonly #clock: Clock;
  #sweeping: Sweeping | undefined;

  constructor(env: LmdbEnvironment, options: LmdbEventIndexOptions = {}) {
    this.#env = env;
    this.#sequences = env.database('index.event-ids');
    this.#byTime = env.database('index.event-ids-by-time');
    this.#meta = env.database('index.meta');
    this.#windowMs = options.windowMs ?? 0;
    this.#clock = options.clock ?? systemClock;
  }

  /** Entries the index holds. */
  get size(): number {
    return this.#sequences.getCount();
  }

  getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const eventId of eventIds) {
      const value = this.#sequences.get([repository, eventId]);
      if (value !== undefined) found.set(eventId, typeof value === 'number' ? value : value[0]);
    }
    return Promise.resolve(found);
  }

  async putMany(repository: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (entries.length === 0) return;
    await this.#env.write(() => {
      if (this.#windowMs === 0) {
        // Untimed entries again: a later window must pass over them.
        void this.#meta.remove(ALL_TIMED);
        void this.#meta.remove(UNTIMED_PASS);
      }
      const now = this.#clock.now();
      for (const [eventId, sequence] of entries) {
        if (this.#windowMs === 0) {
          void this.#sequences.put([repository, eventId], sequence);
          continue;
        }
        void this.#sequences.put([repository, eventId], [sequence, now]);
        void this.#byTime.put([now, repository, eventId], true);
      }
    });
  }

  /** Removes every entry older than the window, a short transaction per batch; returns how many. */
  sweep(): Promise<number> {
    return this.#sweepWhile(() => true);
  }

  /** Sweeps every SWEEP_INTERVAL_MS until `stopSweeping`; does nothing without a window. */
  startSweeping(onSwept: (removed: number) => void, onError: (err: unknown) => void): void {
    if (this.#windowMs === 0 || this.#sweeping !== undefined) return;
    const sweeping: Sweeping = { cancel: () => undefined, running: undefined };
    const active = () => this.#sweeping === sweeping;
    const next = () => {
      sweeping.cancel = this.#clock.schedule(SWEEP_INTERVAL_MS, () => {
        sweeping.running = this.#sweepWhile(active)
          .then((removed) => {
            if (removed > 0) onSwept(removed);
          }, onError)
          .finally(() => {
            sweeping.running = undefined;
            if (active()) next();
          });
      });
    };
    this.#sweeping = sweeping;
    next();
  }

  /** Stops the background sweep; resolves once the batch under way (if any) is done. */
  async stopSweeping(): Promise<void> {
    const sweeping = this.#sweeping;
    this.#sweeping = undefined;
    sweeping?.cancel();
    await sweeping?.running;
  }

  async #sweepWhile(goOn: () => boolean): Promise<number> {
    if (this.#windowMs === 0) return 0;
    let removed = 0;
    for (;;) {
      const batch = await this.#sweepBatch();
      removed += batch.removed;
      if (!batch.more || !goOn()) return removed;
    }
  }

  async #sweepBatch(): Promise<{ removed: number; more: boolean }> {
    const cutoff = this.#clock.now() - this.#windowMs;
    // Read first: most sweeps find nothing, and a write transaction would still wait for a flush.
    if (!this.#sweepDue(cutoff)) return { removed: 0, more: false };
    return this.#env.write(() => {
      const expired = Array.from(this.#byTime.getKeys({ end: [cutoff], limit: SWEEP_BATCH }));
      let removed = 0;
      for (const key of expired) {
        const [at, repository, eventId] = key;
        void this.#byTime.remove(key);
        const value = this.#sequences.get([repository, eventId]);
        // Indexed again later (a head re-read indexes the last batch again): its newer time counts.
        if (typeof value === 'number' || value?.[1] !== at) continue;
        void this.#sequences.remove([repository, eventId]);
        removed += 1;
      }
      if (expired.length === SWEEP_BATCH) return { removed, more: true };
      const untimed = this.#passOverUntimed(SWEEP_BATCH - expired.length);
      return { removed: removed + untimed.removed, more: untimed.more };
    });
  }

  #sweepDue(cutoff: number): boolean {
    for (const _ of this.#byTime.getKeys({ end: [cutoff], limit: 1 })) return true;
    if (this.#meta.get(ALL_TIMED) === true) return false;
    const pass = this.#meta.get(UNTIMED_PASS);
    return typeof pass !== 'object' || this.#clock.now() - pass.since >= this.#windowMs;
  }

  /**
   * Entries without an index time are counted as indexed when the first sweep saw them: one window later,
   * a pass in key order removes them (inside the sweep's write transaction, at most `limit` keys).
   */
  #passOverUntimed(limit: number): { removed: number; more: boolean } {
    const none = { removed: 0, more: false };
    if (limit === 0 || this.#meta.get(ALL_TIMED) === true) return none;
    const stored = this.#meta.get(UNTIMED_PASS);
    if (stored === undefined && this.#sequences.getCount({ limit: 1 }) === 0) {
      void this.#meta.put(ALL_TIMED, true); // a new index: nothing to pass over
      return none;
    }
    const pass: UntimedPass = typeof stored === 'object' ? stored : { since: this.#clock.now(), after: null };
    if (stored === undefined) void this.#meta.put(UNTIMED_PASS, pass);
    if (this.#clock.now() - pass.since < this.#windowMs) return none;
    const range = this.#sequences.getRange({ ...(pass.after === null ? {} : { start: pass.after }), limit });
    let removed = 0;
    let seen = 0;
    for (const { key, value } of range) {
      seen += 1;
      if (pass.after !== null && key[0] === pass.after[0] && key[1] === pass.after[1]) continue;
      pass.after = key;
      if (typeof value !== 'number') continue;
      void this.#sequences.remove(key);
      removed += 1;
    }
    if (seen < limit) {
      void this.#meta.remove(UNTIMED_PASS);
      void this.#meta.put(ALL_TIMED, true);
      return { removed, more: false };
    }
    void this.#meta.put(UNTIMED_PASS, pass);
    return { removed, more: true };
  }
}
