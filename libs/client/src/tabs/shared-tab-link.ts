import { Emitter, type Unsubscribe } from '../emitter.ts';
import type { LocalStore } from '../local/local-store.ts';
import type { ClientPresence } from '../subscriptions/presence.ts';
import type { SubscriptionSet } from '../subscriptions/subscription-set.ts';
import type { SyncConnection } from '../sync/connection.ts';
import type { ConnectionState } from '../sync/connection-state.ts';
import type { SyncError } from '../sync-error.ts';
import type { ConnectionLink, TabRole } from './connection-link.ts';
import type { TabChannel } from './tab-channel.ts';
import type { TabMessage } from './tab-messages.ts';

/** The part of the browser's `navigator.locks` the client uses. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

const STOPPED: ConnectionState = { status: 'offline', reason: 'stopped' };
const WAITING_FOR_LEADER: ConnectionState = { status: 'connecting', attempt: 0 };

/**
 * One socket for all the tabs of one storage: the tab holding the Web Lock leads and owns the connection; the
 * others follow. Every tab stores its own writes and tells the others (the leader pushes them); the leader
 * stores what the server sends and tells the others. When the leader closes, the browser hands the lock to
 * a waiting tab, which connects and pushes whatever is still unacknowledged (the server is idempotent by
 * `_event_id`, so an event in flight during the handover is stored once).
 */
export class SharedTabLink implements ConnectionLink {
  readonly #connection: SyncConnection;
  readonly #channel: TabChannel;
  readonly #locks: LockManagerLike;
  readonly #lockName: string;
  readonly #report: (error: SyncError) => void;
  readonly #stateChanged: Emitter<ConnectionState>;
  readonly #cleanups: Unsubscribe[];
  readonly #subscriptions: SubscriptionSet;
  #role: 'leader' | 'follower' = 'follower';
  #running = false;
  #leaderState: ConnectionState = WAITING_FOR_LEADER;
  #abort: AbortController | undefined;
  #release: (() => void) | undefined;

  constructor(parts: {
    readonly connection: SyncConnection;
    readonly store: LocalStore;
    readonly subscriptions: SubscriptionSet;
    readonly channel: TabChannel;
    readonly locks: LockManagerLike;
    readonly name: string;
    readonly report: (error: SyncError) => void;
  }) {
    this.#connection = parts.connection;
    this.#channel = parts.channel;
    this.#locks = parts.locks;
    this.#lockName = `lfsync:${parts.name}:leader`;
    this.#report = parts.report;
    this.#stateChanged = new Emitter((cause) => parts.report({ kind: 'listener_failed', cause }));
    this.#subscriptions = parts.subscriptions;
    this.#cleanups = [
      parts.subscriptions.onPresenceChange((presence) => {
        if (this.#role === 'leader') this.#postPresence(presence);
      }),
      parts.store.onPersisted((changes) => this.#post({ type: 'persisted', changes })),
      parts.connection.onStateChange((state) => {
        if (this.#role !== 'leader') return;
        this.#post({ type: 'state', state });
        this.#stateChanged.emit(state);
      }),
    ];
    parts.channel.attach((message) => this.#received(message, parts.store));
  }

  get role(): TabRole {
    return this.#role;
  }

  get state(): ConnectionState {
    if (this.#role === 'leader') return this.#connection.state;
    return this.#running ? this.#leaderState : STOPPED;
  }

  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#stateChanged.on(listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const abort = new AbortController();
    this.#abort = abort;
    this.#leaderState = WAITING_FOR_LEADER;
    this.#stateChanged.emit(this.state);
    this.#post({ type: 'hello' });
    const held = new Promise<void>((release) => (this.#release = release));
    this.#locks
      .request(this.#lockName, { signal: abort.signal }, () => {
        if (abort.signal.aborted) return Promise.resolve();
        this.#lead();
        return held;
      })
      .catch((cause: unknown) => {
        if (!abort.signal.aborted) this.#report({ kind: 'tab_coordination_failed', cause });
      });
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#abort?.abort();
    if (this.#role === 'leader') {
      this.#connection.stop();
      this.#role = 'follower';
    }
    this.#release?.();
    this.#release = undefined;
    this.#stateChanged.emit(STOPPED);
  }

  reconnect(): void {
    if (this.#role === 'leader') this.#connection.reconnect();
    else if (this.#running) this.#post({ type: 'reconnect' });
  }

  close(): void {
    this.stop();
    for (const cleanup of this.#cleanups) cleanup();
    this.#channel.close();
  }

  #lead(): void {
    this.#role = 'leader';
    this.#stateChanged.emit(this.#connection.state);
    this.#connection.start();
  }

  #received(message: TabMessage, store: LocalStore): void {
    switch (message.type) {
      case 'persisted':
        store.mirror(message.changes);
        return;
      case 'state':
        if (this.#role === 'leader' || !this.#running) return;
        this.#leaderState = message.state;
        this.#stateChanged.emit(message.state);
        return;
      case 'hello':
        if (this.#role !== 'leader') return;
        this.#post({ type: 'state', state: this.#connection.state });
        for (const presence of this.#subscriptions.presences) this.#postPresence(presence);
        return;
      case 'presence':
        if (this.#role === 'leader') return;
        this.#subscriptions
          .presence(message.repository)
          ?.mirror(message.status, message.sessionId, message.members);
        return;
      case 'reconnect':
        if (this.#role === 'leader') this.#connection.reconnect();
        return;
    }
  }

  #postPresence(presence: ClientPresence): void {
    this.#post({
      type: 'presence',
      repository: presence.repository,
      status: presence.status,
      sessionId: presence.sessionId,
      members: presence.members,
    });
  }

  #post(message: TabMessage): void {
    try {
      this.#channel.post(message);
    } catch (cause) {
      // A closed channel (the tab is going away) or a message the browser cannot clone.
      this.#report({ kind: 'tab_coordination_failed', cause });
    }
  }
}
