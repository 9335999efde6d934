import type { PresenceMember, PresenceMeta } from '@lfsync/contracts';
import type { PresenceChange } from './presence.ts';
import type { SubscriptionError } from './subscription-error.ts';
import type { PresenceView } from './views.ts';

const JOINED: PresenceChange = { kind: 'snapshot', joins: [], leaves: [] };

/**
 * The connection's membership in a repository's presence, held for one or more holders (tabs): each holder's
 * meta is kept, and the member shows the one set last. The holders' handles follow its views.
 */
export class WirePresence {
  readonly repository: string;
  /** Each holder's meta; the last entry is the one set last, the connection's. */
  readonly holders = new Map<string, PresenceMeta>();
  #meta: PresenceMeta = {};
  #status: PresenceView['status'] = 'pending';
  #error: SubscriptionError | undefined;
  #sessionId: string | undefined;
  readonly #members = new Map<string, PresenceMember>();
  #list: readonly PresenceMember[] = [];
  readonly #changed: (view: PresenceView) => void;

  constructor(repository: string, changed: (view: PresenceView) => void) {
    this.repository = repository;
    this.#changed = changed;
  }

  get meta(): PresenceMeta {
    return this.#meta;
  }

  get status(): PresenceView['status'] {
    return this.#status;
  }

  /** The whole membership, as a snapshot (for a holder that starts following it). */
  view(): PresenceView {
    return this.#view({ kind: 'snapshot', joins: this.#list, leaves: [] });
  }

  /** Sets the connection's meta to the holders' latest; false when it is the same. */
  adoptLatestMeta(): boolean {
    const latest = [...this.holders.values()].at(-1) ?? {};
    if (JSON.stringify(latest) === JSON.stringify(this.#meta)) return false;
    this.#meta = latest;
    const self = this.#sessionId === undefined ? undefined : this.#members.get(this.#sessionId);
    // The server does not echo a session's own changes.
    if (self !== undefined) this.#apply('diff', [{ ...self, meta: latest }], []);
    return true;
  }

  joined(sessionId: string): void {
    this.#sessionId = sessionId;
    this.#status = 'joined';
    this.#error = undefined;
    this.#changed(this.#view(JOINED));
  }

  refused(error: SubscriptionError): void {
    this.#status = 'refused';
    this.#error = error;
    this.#members.clear();
    this.#apply('snapshot', [], []);
  }

  /** Offline, or the connection's membership ended: nobody is known to be online. */
  reset(): void {
    this.#status = 'pending';
    this.#sessionId = undefined;
    this.#members.clear();
    this.#apply('snapshot', [], []);
  }

  snapshot(members: readonly PresenceMember[]): void {
    if (this.#status !== 'joined') return;
    this.#members.clear();
    this.#apply('snapshot', members, []);
  }

  diff(joins: readonly PresenceMember[], leaves: readonly string[]): void {
    if (this.#status !== 'joined') return;
    this.#apply('diff', joins, leaves);
  }

  #apply(kind: PresenceChange['kind'], joins: readonly PresenceMember[], leaves: readonly string[]): void {
    for (const sessionId of leaves) this.#members.delete(sessionId);
    for (const member of joins) this.#members.set(member.sessionId, member);
    this.#list = [...this.#members.values()];
    this.#changed(this.#view({ kind, joins, leaves }));
  }

  #view(change: PresenceChange): PresenceView {
    return {
      type: 'presence',
      repository: this.repository,
      status: this.#status,
      error: this.#error,
      sessionId: this.#sessionId,
      members: this.#list,
      change,
    };
  }
}
