import type { SyncCompleteMessage } from '@lfsync/contracts';
import type { Cancel, Clock } from '../clock.ts';
import type { LocalStore } from '../local/local-store.ts';
import type { SyncError } from '../sync-error.ts';

/** Consecutive catch-ups that end with the cursor unmoved and still behind before the client gives up on a repository. */
const MAX_STALLED_CATCH_UPS = 3;

interface RepositoryCatchUp {
  inFlight: boolean;
  completedOnce: boolean;
  requestedFrom: number;
  stalled: number;
  retry: Cancel | undefined;
  /** The request in flight is a snapshot; one that failed is not asked for again on this connection. */
  snapshot: 'asked' | 'failed' | undefined;
}

/**
 * Catch-up of the repositories asked for on one connection: a request from the cursor (`subscribe` with
 * `afterSequence` the first time, `request_events` after it; the session decides), pages of `events`, then
 * `sync_complete`. A repository is caught up once its cursor reached everything the server reported
 * (`lastSequence`) or sent (live events that arrived during the catch-up and could not be applied yet).
 */
export class CatchUp {
  readonly #store: LocalStore;
  /** Sends `request_events` (or a subscribe with `afterSequence`), or with `snapshotMinRatio` a `request_snapshot`. */
  readonly #send: (repository: string, afterSequence: number, snapshotMinRatio?: number) => void;
  readonly #snapshotThreshold: number | undefined;
  readonly #clock: Clock;
  readonly #report: (error: SyncError) => void;
  readonly #repositories = new Map<string, RepositoryCatchUp>();
  /** Repositories in request order, for a `sync_complete` without `repository` (older servers). */
  #inFlightOrder: string[] = [];

  constructor(options: {
    readonly store: LocalStore;
    readonly send: (repository: string, afterSequence: number, snapshotMinRatio?: number) => void;
    readonly clock: Clock;
    readonly report: (error: SyncError) => void;
    readonly snapshotThreshold?: number | undefined;
  }) {
    this.#store = options.store;
    this.#snapshotThreshold = options.snapshotThreshold;
    this.#send = options.send;
    this.#clock = options.clock;
    this.#report = options.report;
  }

  /** Every repository asked for completed a catch-up and none is running. */
  get done(): boolean {
    return [...this.#repositories.values()].every(caughtUp);
  }

  isCaughtUp(repository: string): boolean {
    const state = this.#repositories.get(repository);
    return state !== undefined && caughtUp(state);
  }

  /** Repositories still catching up. */
  get remaining(): string[] {
    return [...this.#repositories]
      .filter(([, r]) => !r.completedOnce || r.inFlight || r.retry !== undefined)
      .map(([name]) => name);
  }

  isInFlight(repository: string): boolean {
    return this.#repositories.get(repository)?.inFlight === true;
  }

  /**
   * Requests everything after the cursor, unless a catch-up of that repository is already running. A
   * repository never synced asks for a snapshot when a threshold is set: the server answers with the
   * snapshot and the events after it, or with the whole log when the log is not that much longer.
   */
  request(repository: string): void {
    let state = this.#repositories.get(repository);
    if (state === undefined) {
      state = {
        inFlight: false,
        completedOnce: false,
        requestedFrom: -1,
        stalled: 0,
        retry: undefined,
        snapshot: undefined,
      };
      this.#repositories.set(repository, state);
    }
    if (state.inFlight) return;
    state.retry?.();
    state.retry = undefined;
    state.inFlight = true;
    state.requestedFrom = this.#store.repository(repository).cursor;
    this.#inFlightOrder.push(repository);
    const minRatio = this.#snapshotThreshold;
    if (state.requestedFrom === 0 && minRatio !== undefined && state.snapshot !== 'failed') {
      state.snapshot = 'asked';
      this.#send(repository, 0, minRatio);
    } else {
      this.#send(repository, state.requestedFrom);
    }
  }

  complete(message: SyncCompleteMessage): void {
    const repository = message.repository ?? this.#inFlightOrder[0];
    if (repository === undefined) return;
    const state = this.#repositories.get(repository);
    if (state === undefined) return;
    this.#settle(repository, state, false);
    const cursor = this.#store.repository(repository).cursor;
    const target = Math.max(this.#store.repository(repository).highestSeen, message.lastSequence ?? 0);
    if (cursor >= target) {
      state.stalled = 0;
      return;
    }
    state.stalled = cursor === state.requestedFrom ? state.stalled + 1 : 0;
    if (state.stalled >= MAX_STALLED_CATCH_UPS) {
      this.#report({ kind: 'catch_up_stalled', repository, cursor });
      state.stalled = 0;
      return;
    }
    this.request(repository);
  }

  /** The server refused the catch-up for good (e.g. `FORBIDDEN`): counted as done so that the others can go live. */
  refused(repository: string): void {
    const state = this.#repositories.get(repository);
    if (state !== undefined) this.#settle(repository, state);
  }

  /** Re-requests after `delayMs` (a retryable refusal). */
  retryLater(repository: string, delayMs: number): void {
    const state = this.#repositories.get(repository);
    if (state === undefined) return;
    this.#settle(repository, state);
    state.retry?.();
    state.retry = this.#clock.schedule(delayMs, () => {
      state.retry = undefined;
      this.request(repository);
    });
  }

  /** Re-requests every running catch-up after `delayMs` (the server refused a frame without saying which). */
  retryInFlightLater(delayMs: number): void {
    for (const [name, state] of this.#repositories) if (state.inFlight) this.retryLater(name, delayMs);
  }

  dispose(): void {
    for (const state of this.#repositories.values()) {
      state.retry?.();
      state.retry = undefined;
    }
  }

  /** A refused or failed request: a snapshot is not asked for again (a replay may succeed where it did not). */
  #settle(repository: string, state: RepositoryCatchUp, failed = true): void {
    if (state.snapshot === 'asked') state.snapshot = failed ? 'failed' : undefined;
    state.inFlight = false;
    state.completedOnce = true;
    this.#inFlightOrder = this.#inFlightOrder.filter((name) => name !== repository);
  }
}

function caughtUp(state: RepositoryCatchUp): boolean {
  return state.completedOnce && !state.inFlight && state.retry === undefined;
}
