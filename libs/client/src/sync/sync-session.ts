import {
  errorCodes,
  type AuthMessage,
  type ErrorMessage,
  type PushEventsBatchMessage,
  type ServerMessage,
  type SnapshotCompleteMessage,
} from '@lfsync/contracts';
import type { Clock } from '../clock.ts';
import type { LocalStore } from '../local/local-store.ts';
import type { WireSubscriptions } from '../subscriptions/wire-subscriptions.ts';
import type { SyncError } from '../sync-error.ts';
import { CatchUp } from './catch-up.ts';
import { PushFlow, type PushOptions } from './push-flow.ts';
import { SnapshotIntake } from './snapshot-intake.ts';
import { SubscriptionFlow, type SubscriptionFrame } from './subscription-flow.ts';

export type OutboundFrame =
  AuthMessage | PushEventsBatchMessage | SubscriptionFrame | { readonly type: 'ping' | 'pong' };

/** Delay before retrying after a retryable error that does not say how long to wait. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

const AUTH_ERRORS = new Set<ErrorMessage['code']>([
  'NOT_AUTHENTICATED',
  'INVALID_TOKEN',
  'TOKEN_EXPIRED',
  'AUTH_TIMEOUT',
]);

export interface SessionEvents {
  /** `auth_success`, the first or after a credentials refresh; `expiresAt` in epoch ms when the token expires. */
  authenticated(expiresAt: number | undefined): void;
  syncing(repositories: readonly string[]): void;
  live(sessionId: string): void;
  /** The server refused the credentials; the connection should be dropped and retried with a new token. */
  authFailed(): void;
}

/**
 * The protocol on one open socket: `auth`, then catch-up of every repository, then the queue flush, then live
 * events and acks. It owns no socket and no timer beyond its catch-up and push flow: the connection feeds it
 * parsed frames and disposes of it when the socket goes.
 */
export class SyncSession {
  readonly #store: LocalStore;
  readonly #send: (frame: OutboundFrame) => void;
  readonly #report: (error: SyncError) => void;
  readonly #events: SessionEvents;
  readonly #catchUp: CatchUp;
  readonly #push: PushFlow;
  readonly #subscriptions: SubscriptionFlow;
  readonly #snapshots = new SnapshotIntake();
  readonly #stopWatchingQueue: () => void;
  #stage: 'authenticating' | 'syncing' | 'live' = 'authenticating';
  #sessionId = '';

  constructor(options: {
    readonly store: LocalStore;
    readonly send: (frame: OutboundFrame) => void;
    readonly clock: Clock;
    readonly push: PushOptions;
    readonly snapshotThreshold?: number | undefined;
    readonly report: (error: SyncError) => void;
    readonly events: SessionEvents;
    readonly subscriptions: WireSubscriptions;
  }) {
    this.#store = options.store;
    this.#send = options.send;
    this.#report = options.report;
    this.#events = options.events;
    this.#catchUp = new CatchUp({
      store: options.store,
      send: (repository, afterSequence, snapshotMinRatio) =>
        this.#subscriptions.sendCatchUp(repository, afterSequence, snapshotMinRatio),
      clock: options.clock,
      report: options.report,
      snapshotThreshold: options.snapshotThreshold,
    });
    this.#subscriptions = new SubscriptionFlow({
      set: options.subscriptions,
      store: options.store,
      catchUp: this.#catchUp,
      send: options.send,
      clock: options.clock,
    });
    this.#push = new PushFlow({
      store: options.store,
      send: options.send,
      clock: options.clock,
      push: options.push,
    });
    this.#stopWatchingQueue = options.store.onPendingCountChanged(() => this.#push.schedule());
  }

  /**
   * The first `auth`, with the subscriptions right behind it: the gateway holds them until the token is
   * verified and registers them before it sends this session anything live, so no event arrives through the
   * "everything" a session that has not subscribed yet would get.
   */
  open(token: string): void {
    this.authenticate(token);
    this.#subscriptions.start(() => this.#sessionId);
  }

  /** Sends (new) credentials; on a live connection this refreshes them. */
  authenticate(token: string): void {
    this.#send({ type: 'auth', token });
  }

  handle(message: ServerMessage): void {
    switch (message.type) {
      case 'auth_success':
        this.#events.authenticated(message.expiresAt);
        this.#authenticated(message.sessionId);
        return;
      case 'events': {
        // A pattern may deliver repositories this client has not seen yet; anything else is not for the app.
        if (!this.#store.hasRepository(message.repository) && !this.#subscriptions.adopts(message.repository))
          return;
        const { gap } = this.#store.receive(message.repository, message.events);
        if (gap && this.#stage !== 'authenticating') this.#catchUp.request(message.repository);
        return;
      }
      case 'snapshot':
        if (this.#store.hasRepository(message.repository)) this.#snapshots.page(message);
        return;
      case 'snapshot_complete':
        this.#snapshotComplete(message);
        return;
      case 'sync_complete':
        this.#catchUp.complete(message);
        if (message.repository !== undefined) this.#subscriptions.caughtUp(message.repository);
        this.#afterCatchUpProgress();
        return;
      case 'ack':
        this.#store.acknowledge(message);
        this.#push.settled(message.eventIds);
        return;
      case 'error':
        this.#onError(message);
        return;
      case 'ping':
        this.#send({ type: 'pong' });
        return;
      case 'subscribed':
        this.#subscriptions.subscribed(message.repository);
        return;
      case 'unsubscribed':
        this.#subscriptions.unsubscribed(message.repository);
        return;
      case 'presence':
        this.#subscriptions.presence(message.repository, message.members);
        return;
      case 'presence_diff':
        this.#subscriptions.presenceDiff(message.repository, message.joins, message.leaves);
        return;
      case 'pong':
        return;
    }
  }

  dispose(): void {
    this.#stopWatchingQueue();
    this.#subscriptions.dispose();
    this.#catchUp.dispose();
    this.#push.dispose();
  }

  #authenticated(sessionId: string): void {
    // A repeated auth_success (after a credentials refresh) changes nothing about the sync.
    if (this.#stage !== 'authenticating') return;
    this.#sessionId = sessionId;
    this.#stage = 'syncing';
    this.#afterCatchUpProgress();
  }

  /** A whole snapshot is applied at once; one with missing pages is dropped, and the catch-up asks again. */
  #snapshotComplete(message: SnapshotCompleteMessage): void {
    if (!this.#store.hasRepository(message.repository)) return;
    const events = this.#snapshots.complete(message);
    if (events === undefined) {
      this.#report({ kind: 'invalid_frame', detail: `incomplete snapshot of ${message.repository}` });
      return;
    }
    this.#store.applySnapshot(message.repository, events, message.sequence);
  }

  #afterCatchUpProgress(): void {
    if (this.#stage === 'syncing') {
      if (!this.#catchUp.done) {
        this.#events.syncing(this.#catchUp.remaining);
        return;
      }
      this.#stage = 'live';
      this.#push.enable();
      this.#events.live(this.#sessionId);
    }
  }

  #onError(message: ErrorMessage): void {
    const { code } = message;
    const { retryable } = errorCodes[code];
    this.#report({
      kind: 'server_error',
      code,
      message: message.message,
      retryable,
      ...(message.eventIds === undefined ? {} : { eventIds: message.eventIds }),
      ...(message.repository === undefined ? {} : { repository: message.repository }),
      ...(message.retryAfterMs === undefined ? {} : { retryAfterMs: message.retryAfterMs }),
    });
    const delayMs = message.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    if (AUTH_ERRORS.has(code)) {
      this.#events.authFailed();
      return;
    }
    const { repository } = message;
    if (repository !== undefined && this.#subscriptions.refused({ ...message, repository })) {
      this.#afterCatchUpProgress();
      return;
    }
    const eventIds =
      message.eventIds !== undefined && message.eventIds.length > 0 ? message.eventIds : undefined;
    // Too large as a batch: smaller batches will do. One event too large on its own is refused for good.
    const batchTooLarge =
      (code === 'BATCH_TOO_LARGE' && this.#push.batchSize > 1) ||
      (code === 'PAYLOAD_TOO_LARGE' &&
        (eventIds === undefined ? this.#push.batchSize > 1 : eventIds.length > 1));
    if (batchTooLarge) {
      this.#push.shrinkBatches(eventIds);
      return;
    }
    if (eventIds !== undefined) {
      if (retryable) this.#push.retryLater(eventIds, delayMs);
      else this.#reject(code, eventIds);
      return;
    }
    if (message.repository !== undefined && this.#catchUp.isInFlight(message.repository)) {
      if (retryable) this.#catchUp.retryLater(message.repository, delayMs);
      else this.#catchUp.refused(message.repository);
      this.#afterCatchUpProgress();
      return;
    }
    if (retryable) {
      // A refusal that names no event or repository (rate limit, overload): whatever is outstanding may be
      // the frame that was refused, so all of it is sent again after the delay.
      this.#push.retryLater(undefined, delayMs);
      this.#catchUp.retryInFlightLater(delayMs);
    }
  }

  #reject(code: ErrorMessage['code'], eventIds: readonly string[]): void {
    const dropped = this.#store.drop(eventIds);
    this.#push.settled(eventIds);
    for (const [repository, entries] of dropped) {
      this.#report({
        kind: 'events_rejected',
        code,
        repository,
        events: entries.map((entry) => entry.event),
      });
    }
  }
}
