import type { PresenceMember, PresenceMeta } from '@lfsync/contracts';
import { Emitter, type Unsubscribe } from '../emitter.ts';
import type { SubscriptionError } from './subscription-error.ts';
import type { PresenceView } from './views.ts';

/**
 * `pending`: not a member on the current connection (offline, or waiting for the server); `joined`: a member
 * (`members` holds everyone online, this session included); `refused`: the server said no (see `error`;
 * tried again on the next connection); `left`: `leave()` was called.
 */
export type PresenceStatus = 'pending' | 'joined' | 'refused' | 'left';

/** What changed: the whole list at once (`snapshot`, also when the connection drops) or joins and leaves. */
export interface PresenceChange {
  readonly kind: 'snapshot' | 'diff';
  /** Members that joined or changed their meta (the whole member each time). */
  readonly joins: readonly PresenceMember[];
  /** Session ids that left. */
  readonly leaves: readonly string[];
}

/** This client's membership in a repository's presence, and who else is online there. */
export interface Presence {
  readonly repository: string;
  readonly status: PresenceStatus;
  readonly error: SubscriptionError | undefined;
  /** Everyone online in the repository, one entry per session, this one included; empty unless `joined`. */
  readonly members: readonly PresenceMember[];
  /** This client's session id on the current connection; undefined while offline. */
  readonly sessionId: string | undefined;
  readonly meta: PresenceMeta;
  /** Calls `listener` after every change of `members` or `status`. */
  onChange(listener: (members: readonly PresenceMember[], change: PresenceChange) => void): Unsubscribe;
  /** Replaces this session's meta (the others get it as a join); kept for the next connections. */
  update(meta: PresenceMeta): void;
  /** Leaves the presence (the others see this session leave). */
  leave(): void;
}

export interface PresenceActions {
  update(presence: ClientPresence): void;
  leave(presence: ClientPresence): void;
}

/** The app's handle: it shows the connection's membership (see `WirePresence`) and asks for changes. */
export class ClientPresence implements Presence {
  readonly repository: string;
  #status: PresenceStatus = 'pending';
  #error: SubscriptionError | undefined;
  #meta: PresenceMeta;
  #sessionId: string | undefined;
  #members: readonly PresenceMember[] = [];
  readonly #changed: Emitter<PresenceChange>;
  readonly #actions: PresenceActions;

  constructor(
    repository: string,
    meta: PresenceMeta,
    actions: PresenceActions,
    onListenerError: (cause: unknown) => void,
  ) {
    this.repository = repository;
    this.#meta = meta;
    this.#actions = actions;
    this.#changed = new Emitter(onListenerError);
  }

  get status(): PresenceStatus {
    return this.#status;
  }

  get error(): SubscriptionError | undefined {
    return this.#error;
  }

  get members(): readonly PresenceMember[] {
    return this.#members;
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  get meta(): PresenceMeta {
    return this.#meta;
  }

  onChange(listener: (members: readonly PresenceMember[], change: PresenceChange) => void): Unsubscribe {
    return this.#changed.on((change) => listener(this.#members, change));
  }

  update(meta: PresenceMeta): void {
    if (this.#status === 'left') return;
    this.#meta = meta;
    this.#actions.update(this);
  }

  leave(): void {
    if (this.#status === 'left') return;
    this.#status = 'left';
    this.#error = undefined;
    this.#sessionId = undefined;
    this.#members = [];
    this.#changed.emit({ kind: 'snapshot', joins: [], leaves: [] });
    this.#actions.leave(this);
  }

  /** @internal What the connection's membership shows (this tab's connection, or the leader tab's). */
  mirror(view: PresenceView): void {
    if (this.#status === 'left' || this.#shows(view)) return;
    this.#status = view.status;
    this.#error = view.error;
    this.#sessionId = view.sessionId;
    this.#members = view.members;
    this.#changed.emit(view.change);
  }

  /** Whether `view` changes nothing here (e.g. the first, empty view of a membership not yet joined). */
  #shows(view: PresenceView): boolean {
    const { change } = view;
    return (
      view.status === this.#status &&
      view.sessionId === this.#sessionId &&
      view.error === this.#error &&
      change.joins.length === 0 &&
      change.leaves.length === 0 &&
      view.members.length === 0 &&
      this.#members.length === 0
    );
  }
}
