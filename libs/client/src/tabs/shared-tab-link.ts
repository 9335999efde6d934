import { Emitter, type Unsubscribe } from '../emitter.ts';
import type { LocalStore } from '../local/local-store.ts';
import { serveLocally } from '../subscriptions/serve-locally.ts';
import type { SubscriptionSet } from '../subscriptions/subscription-set.ts';
import type { WireSubscriptions } from '../subscriptions/wire-subscriptions.ts';
import type { SyncConnection } from '../sync/connection.ts';
import type { ConnectionState } from '../sync/connection-state.ts';
import type { SyncError } from '../sync-error.ts';
import type { ConnectionLink, TabRole } from './connection-link.ts';
import type { TabChannel } from './tab-channel.ts';
import { TabLiveness, type LockManagerLike } from './tab-liveness.ts';
import { viewMessage, viewOf, type TabMessage } from './tab-messages.ts';

const STOPPED: ConnectionState = { status: 'offline', reason: 'stopped' };
const WAITING_FOR_LEADER: ConnectionState = { status: 'connecting', attempt: 0 };

/**
 * One socket for all the tabs of one storage: the tab holding the Web Lock leads and owns the connection; the
 * others follow. Every tab stores its own writes and tells the others (the leader pushes them); the leader
 * stores what the server sends and tells the others. Followers send their subscriptions and presences to the
 * leader, whose connection holds them along with its own and tells each tab how they stand. When the leader
 * closes, the browser hands the lock to a waiting tab, which connects, collects every tab's subscriptions and
 * presences again, and pushes whatever is still unacknowledged (the server is idempotent by `_event_id`, so an
 * event in flight during the handover is stored once).
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
  readonly #wire: WireSubscriptions;
  readonly #liveness: TabLiveness;
  #role: 'leader' | 'follower' = 'follower';
  #running = false;
  /** This tab's id while it runs (a new one per `start`). */
  #tab = '';
  #leaderState: ConnectionState = WAITING_FOR_LEADER;
  #abort: AbortController | undefined;
  #release: (() => void) | undefined;
  #servingSelf: Unsubscribe | undefined;

  constructor(parts: {
    readonly connection: SyncConnection;
    readonly store: LocalStore;
    readonly subscriptions: SubscriptionSet;
    readonly wire: WireSubscriptions;
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
    this.#wire = parts.wire;
    this.#liveness = new TabLiveness(parts.locks, parts.name, parts.report);
    this.#cleanups = [
      parts.wire.onChange((view) => {
        if (this.#role === 'leader') this.#post(viewMessage(view));
      }),
      parts.subscriptions.onClaimsChange(() => {
        if (this.#running && this.#role === 'follower') this.#postClaims();
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
    const tab = crypto.randomUUID();
    this.#tab = tab;
    const abort = new AbortController();
    this.#abort = abort;
    this.#leaderState = WAITING_FOR_LEADER;
    this.#stateChanged.emit(this.state);
    // The leader watches this tab's lock once it knows the tab: the lock must be held before the tab speaks.
    this.#liveness.hold(tab, () => {
      if (abort.signal.aborted) return;
      this.#postClaims();
      this.#requestLead(abort);
    });
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#abort?.abort();
    if (this.#role === 'leader') this.#stepDown();
    else this.#post({ type: 'bye', tab: this.#tab });
    this.#liveness.drop();
    this.#release?.();
    this.#release = undefined;
    this.#subscriptions.resetAll();
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

  #requestLead(abort: AbortController): void {
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

  #lead(): void {
    this.#role = 'leader';
    this.#servingSelf = serveLocally(this.#subscriptions, this.#wire, this.#tab);
    this.#post({ type: 'leader' });
    this.#stateChanged.emit(this.#connection.state);
    this.#connection.start();
  }

  #stepDown(): void {
    this.#connection.stop();
    this.#role = 'follower';
    this.#servingSelf?.();
    this.#servingSelf = undefined;
    this.#liveness.unwatchAll();
    this.#wire.releaseAll();
  }

  #received(message: TabMessage, store: LocalStore): void {
    switch (message.type) {
      case 'persisted':
        store.mirror(message.changes);
        return;
      case 'state':
        if (this.#role === 'leader' || !this.#running || !this.#isForMe(message.to)) return;
        this.#leaderState = message.state;
        this.#stateChanged.emit(message.state);
        return;
      case 'claims':
        if (this.#role === 'leader') this.#serve(message.tab, message);
        return;
      case 'bye':
        if (this.#role !== 'leader') return;
        this.#liveness.unwatch(message.tab);
        this.#wire.release(message.tab);
        return;
      case 'leader':
        if (this.#running && this.#role === 'follower') this.#postClaims();
        return;
      case 'reconnect':
        if (this.#role === 'leader') this.#connection.reconnect();
        return;
      case 'subscription':
      case 'presence':
        if (this.#role === 'follower' && this.#running && this.#isForMe(message.to))
          this.#subscriptions.apply(viewOf(message));
        return;
    }
  }

  /** A follower's claims: held on this connection until the tab says bye or its lock frees. */
  #serve(tab: string, claims: Extract<TabMessage, { type: 'claims' }>): void {
    this.#post({ type: 'state', state: this.#connection.state, to: tab });
    for (const view of this.#wire.hold(tab, claims)) this.#post(viewMessage(view, tab));
    this.#liveness.watch(tab, () => this.#wire.release(tab));
  }

  #isForMe(to: string | undefined): boolean {
    return to === undefined || to === this.#tab;
  }

  #postClaims(): void {
    this.#post({ type: 'claims', tab: this.#tab, ...this.#subscriptions.claims });
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
