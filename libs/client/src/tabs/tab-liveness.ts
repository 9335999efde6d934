import type { SyncError } from '../sync-error.ts';

/** The part of the browser's `navigator.locks` the client uses. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/**
 * Which tabs are alive, through Web Locks: each running tab holds a lock of its own, and the leader waits for
 * the locks of the tabs it serves. The browser frees a tab's lock when the tab stops or is gone (closed,
 * crashed, discarded), so the leader learns it even when the tab could not say goodbye.
 */
export class TabLiveness {
  readonly #locks: LockManagerLike;
  readonly #prefix: string;
  readonly #report: (error: SyncError) => void;
  readonly #watched = new Map<string, AbortController>();
  #own: { abort: AbortController; release: () => void } | undefined;

  constructor(locks: LockManagerLike, name: string, report: (error: SyncError) => void) {
    this.#locks = locks;
    this.#prefix = `lfsync:${name}:tab:`;
    this.#report = report;
  }

  /** Holds this tab's lock until `drop`; `held` runs once it is held. */
  hold(tab: string, held: () => void): void {
    this.drop();
    const abort = new AbortController();
    const kept = new Promise<void>((release) => (this.#own = { abort, release }));
    this.#request(tab, abort, () => {
      held();
      return kept;
    });
  }

  drop(): void {
    this.#own?.abort.abort();
    this.#own?.release();
    this.#own = undefined;
  }

  /** Calls `gone` once `tab` no longer runs; nothing when it is watched already. */
  watch(tab: string, gone: () => void): void {
    if (this.#watched.has(tab)) return;
    const abort = new AbortController();
    this.#watched.set(tab, abort);
    this.#request(tab, abort, () => {
      this.#watched.delete(tab);
      gone();
      return Promise.resolve();
    });
  }

  unwatch(tab: string): void {
    this.#watched.get(tab)?.abort();
    this.#watched.delete(tab);
  }

  unwatchAll(): void {
    for (const tab of [...this.#watched.keys()]) this.unwatch(tab);
  }

  #request(tab: string, abort: AbortController, callback: () => Promise<void>): void {
    this.#locks
      .request(`${this.#prefix}${tab}`, { signal: abort.signal }, () =>
        abort.signal.aborted ? Promise.resolve() : callback(),
      )
      .catch((cause: unknown) => {
        if (!abort.signal.aborted) this.#report({ kind: 'tab_coordination_failed', cause });
      });
  }
}
