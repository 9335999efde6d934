import type { PresenceMember, PresenceMeta } from '@lfsync/contracts';
import { Emitter, type Unsubscribe } from '../emitter.ts';
import type { SubscriptionError } from './subscription-error.ts';

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

const NO_CHANGE: PresenceChange = { kind: 'snapshot', joins: [], leaves: [] };

export class ClientPresence implements Presence {
  readonly repository: string;
  #status: PresenceStatus = 'pending';
  #error: SubscriptionError | undefined;
  #meta: PresenceMeta;
  #sessionId: string | undefined;
  readonly #members = new Map<string, PresenceMember>();
  #list: readonly PresenceMember[] = [];
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
    return this.#list;
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  get meta(): PresenceMeta {
    return this.#meta;
  }

  onChange(listener: (members: readonly PresenceMember[], change: PresenceChange) => void): Unsubscribe {
    return this.#changed.on((change) => listener(this.#list, change));
  }

  update(meta: PresenceMeta): void {
    if (this.#status === 'left') return;
    this.#meta = meta;
    const self = this.#sessionId === undefined ? undefined : this.#members.get(this.#sessionId);
    // The server does not echo a session's own changes.
    if (self !== undefined) this.#apply('diff', [{ ...self, meta }], []);
    this.#actions.update(this);
  }

  leave(): void {
    if (this.#status === 'left') return;
    this.#status = 'left';
    this.#error = undefined;
    this.#members.clear();
    this.#apply('snapshot', [], []);
    this.#actions.leave(this);
  }

  /** @internal */
  joined(sessionId: string): void {
    if (this.#status === 'left') return;
    this.#sessionId = sessionId;
    this.#status = 'joined';
    this.#error = undefined;
    this.#changed.emit(NO_CHANGE);
  }

  /** @internal */
  refused(error: SubscriptionError): void {
    if (this.#status === 'left') return;
    this.#status = 'refused';
    this.#error = error;
    this.#members.clear();
    this.#apply('snapshot', [], []);
  }

  /** @internal Offline, or the connection's membership ended: nobody is known to be online. */
  reset(): void {
    if (this.#status === 'left') return;
    this.#status = 'pending';
    this.#sessionId = undefined;
    this.#members.clear();
    this.#apply('snapshot', [], []);
  }

  /** @internal What the tab holding the connection sees (this tab follows it). */
  mirror(status: PresenceStatus, sessionId: string | undefined, members: readonly PresenceMember[]): void {
    if (this.#status === 'left') return;
    this.#status = status === 'left' ? 'pending' : status;
    this.#sessionId = sessionId;
    this.#members.clear();
    this.#apply('snapshot', members, []);
  }

  /** @internal */
  snapshot(members: readonly PresenceMember[]): void {
    if (this.#status !== 'joined') return;
    this.#members.clear();
    this.#apply('snapshot', members, []);
  }

  /** @internal */
  diff(joins: readonly PresenceMember[], leaves: readonly string[]): void {
    if (this.#status !== 'joined') return;
    this.#apply('diff', joins, leaves);
  }

  #apply(kind: PresenceChange['kind'], joins: readonly PresenceMember[], leaves: readonly string[]): void {
    for (const sessionId of leaves) this.#members.delete(sessionId);
    for (const member of joins) this.#members.set(member.sessionId, member);
    this.#list = [...this.#members.values()];
    this.#changed.emit({ kind, joins, leaves });
  }
}
