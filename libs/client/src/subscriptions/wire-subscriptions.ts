import { isExactName, patternMatches, type PresenceMeta } from '@lfsync/contracts';
import { Emitter, type Unsubscribe } from '../emitter.ts';
import type { SubscriptionError } from './subscription-error.ts';
import type { Claims, SubscriptionView, WireView } from './views.ts';
import { WirePresence } from './wire-presence.ts';

/** The current connection's side: it sends what the holders ask for while it is up. */
export interface SubscriptionDriver {
  subscribe(subscription: WireSubscription): void;
  unsubscribe(subscription: WireSubscription): void;
  joinPresence(presence: WirePresence): void;
  updatePresence(presence: WirePresence): void;
  leavePresence(presence: WirePresence): void;
}

/** A repository or pattern the connection subscribes to, for one or more holders. */
export class WireSubscription {
  readonly repository: string;
  readonly holders = new Set<string>();
  #status: SubscriptionView['status'] = 'pending';
  #error: SubscriptionError | undefined;
  readonly #changed: (view: SubscriptionView) => void;

  constructor(repository: string, changed: (view: SubscriptionView) => void) {
    this.repository = repository;
    this.#changed = changed;
  }

  view(): SubscriptionView {
    return { type: 'subscription', repository: this.repository, status: this.#status, error: this.#error };
  }

  set(status: SubscriptionView['status'], error?: SubscriptionError): void {
    if (this.#status === status && this.#error === error) return;
    this.#status = status;
    this.#error = error;
    this.#changed(this.view());
  }
}

/**
 * What the connection subscribes to and where it is present, across connections: the union of what its
 * holders claim — the app of this tab and, when this tab leads, the apps of the other tabs. Each new
 * connection subscribes to all of it again (exact names from their stored cursors) and joins every presence
 * again; the holders' handles follow the views it emits.
 */
export class WireSubscriptions {
  readonly #subscriptions = new Map<string, WireSubscription>();
  readonly #presences = new Map<string, WirePresence>();
  readonly #changed: Emitter<WireView>;
  #driver: SubscriptionDriver | undefined;

  constructor(onListenerError: (cause: unknown) => void) {
    this.#changed = new Emitter(onListenerError);
  }

  /** Every change of a subscription's status or a presence's members or status. */
  onChange(listener: (view: WireView) => void): Unsubscribe {
    return this.#changed.on(listener);
  }

  get subscriptions(): readonly WireSubscription[] {
    return [...this.#subscriptions.values()];
  }

  get presences(): readonly WirePresence[] {
    return [...this.#presences.values()];
  }

  subscription(repository: string): WireSubscription | undefined {
    return this.#subscriptions.get(repository);
  }

  presence(repository: string): WirePresence | undefined {
    return this.#presences.get(repository);
  }

  /** Whether an exact subscription names `repository`. */
  isSubscribed(repository: string): boolean {
    return this.#subscriptions.has(repository);
  }

  /** Whether a pattern subscription (not an exact one) covers `repository`. */
  coversByPattern(repository: string): boolean {
    for (const text of this.#subscriptions.keys())
      if (!isExactName(text) && patternMatches(text, repository)) return true;
    return false;
  }

  /**
   * Replaces what `holder` claims; returns the views of what it holds now and did not before, for its handles
   * (changes after that come through `onChange`).
   */
  hold(holder: string, claims: Claims): WireView[] {
    const added: WireView[] = [];
    const wanted = new Set(claims.subscriptions);
    for (const entry of this.subscriptions)
      if (entry.holders.has(holder) && !wanted.has(entry.repository)) this.#dropSubscription(entry, holder);
    for (const repository of wanted) {
      const entry = this.#holdSubscription(repository, holder);
      if (entry !== undefined) added.push(entry.view());
    }
    const metas = new Map(claims.presences.map((claim) => [claim.repository, claim.meta]));
    for (const entry of this.presences)
      if (entry.holders.has(holder) && !metas.has(entry.repository)) this.#dropPresence(entry, holder);
    for (const [repository, meta] of metas) {
      const entry = this.#holdPresence(repository, holder, meta);
      if (entry !== undefined) added.push(entry.view());
    }
    return added;
  }

  /** Everything `holder` claimed is let go (its tab closed or stopped). */
  release(holder: string): void {
    this.hold(holder, { subscriptions: [], presences: [] });
  }

  /** Every holder is let go (this tab no longer leads). */
  releaseAll(): void {
    const holders = new Set<string>();
    for (const entry of this.subscriptions) for (const holder of entry.holders) holders.add(holder);
    for (const entry of this.presences) for (const holder of entry.holders.keys()) holders.add(holder);
    for (const holder of holders) this.release(holder);
  }

  attach(driver: SubscriptionDriver): void {
    this.#driver = driver;
  }

  detach(driver: SubscriptionDriver): void {
    if (this.#driver === driver) this.#driver = undefined;
  }

  /** The entry when `holder` is new to it, else undefined. */
  #holdSubscription(repository: string, holder: string): WireSubscription | undefined {
    let entry = this.#subscriptions.get(repository);
    if (entry?.holders.has(holder) === true) return undefined;
    if (entry === undefined) {
      entry = new WireSubscription(repository, (view) => this.#changed.emit(view));
      entry.holders.add(holder);
      this.#subscriptions.set(repository, entry);
      this.#driver?.subscribe(entry);
    } else entry.holders.add(holder);
    return entry;
  }

  #dropSubscription(entry: WireSubscription, holder: string): void {
    entry.holders.delete(holder);
    if (entry.holders.size > 0) return;
    this.#subscriptions.delete(entry.repository);
    this.#driver?.unsubscribe(entry);
  }

  /** The entry when `holder` is new to it, else undefined (a changed meta is sent on). */
  #holdPresence(repository: string, holder: string, meta: PresenceMeta): WirePresence | undefined {
    let entry = this.#presences.get(repository);
    const isNew = entry === undefined;
    entry ??= new WirePresence(repository, (view) => this.#changed.emit(view));
    const known = entry.holders.get(holder);
    if (known !== undefined && JSON.stringify(known) === JSON.stringify(meta)) return undefined;
    entry.holders.delete(holder);
    entry.holders.set(holder, meta);
    const metaChanged = entry.adoptLatestMeta();
    if (isNew) {
      this.#presences.set(repository, entry);
      this.#driver?.joinPresence(entry);
    } else if (metaChanged) this.#driver?.updatePresence(entry);
    return known === undefined ? entry : undefined;
  }

  #dropPresence(entry: WirePresence, holder: string): void {
    entry.holders.delete(holder);
    if (entry.holders.size === 0) {
      this.#presences.delete(entry.repository);
      this.#driver?.leavePresence(entry);
    } else if (entry.adoptLatestMeta()) this.#driver?.updatePresence(entry);
  }
}
