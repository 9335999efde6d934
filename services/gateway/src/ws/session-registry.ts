import { eventsJsonOf, type SequencedBatch } from '@lfsync/contracts';
import { SubscriptionIndex } from '../fanout/subscription-index.ts';
import { eventsFrame, SharedFrame } from './frames.ts';

/** A committed batch with its events' JSON (serialised once, shared with the recent-events window). */
export interface Commit {
  batch: SequencedBatch;
  eventsJson: readonly string[];
}

/** What the registry fans out to: a session. */
export interface Subscriber {
  /** A committed batch; `frame` is shared by every subscriber. False when nothing was sent. */
  deliver(batch: SequencedBatch, frame: SharedFrame): boolean;
  /** Whether a push of this session waits for its ack. */
  readonly awaitingAck: boolean;
}

/** A commit's frame, sent to its pushing sessions already, and still to be sent to the others. */
interface Deferred<S> {
  batch: SequencedBatch;
  frame: SharedFrame;
  sent: ReadonlySet<S>;
}

/** Told when the sessions here start or stop needing a pattern's commits (see fanout/commit-interest.ts). */
export interface RegistryInterest {
  follow(pattern: string): void;
  unfollow(pattern: string): void;
  followImplicit(): void;
  unfollowImplicit(): void;
}

const NO_INTEREST: RegistryInterest = {
  follow: () => undefined,
  unfollow: () => undefined,
  followImplicit: () => undefined,
  unfollowImplicit: () => undefined,
};

/** Commits merged into one frame at most; larger runs are split. */
const MAX_MERGED_EVENTS = 1_000;

/**
 * The authenticated sessions of this gateway, and what each receives. A session that never subscribed is
 * "implicit": it receives every repository it may read (today's protocol, the Dart client), unless
 * `implicitAll` is off. A session that subscribed receives its subscriptions only, found through an index
 * by repository, so a commit costs the sessions subscribed to it and nothing for the others. Commits that
 * arrive together (one read from the bus) are merged per repository and serialised once.
 */
export class SessionRegistry<S extends Subscriber = Subscriber> {
  readonly #implicit = new Set<S>();
  readonly #subscriptions = new Map<S, Set<string>>();
  readonly #index = new SubscriptionIndex<S>();
  readonly #authenticated = new Set<S>();
  readonly #implicitAll: boolean;
  readonly #onFrames: (frames: number) => void;
  readonly #interest: RegistryInterest;
  readonly #acksAwaited: (repository: string) => boolean;
  #pending = new Map<string, Commit[]>();
  #flushScheduled = false;
  #deferred: Deferred<S>[] = [];
  readonly #flushDeferredLater = () => this.#flushDeferred();

  /**
   * `acksAwaited`: whether pushes to the repository wait for their ack here. Then a commit's frame goes to
   * the sessions waiting for an ack first, and to the others once the microtasks are done: the acks the
   * commit releases (promise chains) leave before hundreds of other sockets are written.
   */
  constructor(
    options: {
      implicitAll?: boolean;
      onFrames?: (frames: number) => void;
      interest?: RegistryInterest;
      acksAwaited?: (repository: string) => boolean;
    } = {},
  ) {
    this.#implicitAll = options.implicitAll ?? true;
    this.#onFrames = options.onFrames ?? (() => {});
    this.#interest = options.interest ?? NO_INTEREST;
    this.#acksAwaited = options.acksAwaited ?? (() => false);
  }

  get size(): number {
    return this.#authenticated.size;
  }

  /** Authenticated sessions that never subscribed: they receive every repository they may read. */
  get implicitSessions(): number {
    return this.#implicit.size;
  }

  /** Authenticated sessions whose subscriptions cover `repository` (exactly or by a pattern). */
  subscriberCount(repository: string): number {
    return this.#index.subscribers(repository).size;
  }

  /** The repositories most sessions here subscribed to by their exact name, at most `limit`. */
  mostSubscribedNames(limit: number): string[] {
    return this.#index.mostSubscribedNames(limit);
  }

  /** Exact names and prefixes in the subscription index. */
  get indexedKeys(): number {
    return this.#index.keys;
  }

  /** A session became authenticated (it receives what it may) or stopped being so (it receives nothing). */
  set(session: S, authenticated: boolean): void {
    if (authenticated) {
      this.#authenticated.add(session);
      if (this.#implicitAll && !this.#subscriptions.has(session)) this.#addImplicit(session);
      for (const pattern of this.#subscriptions.get(session) ?? []) this.#indexAdd(pattern, session);
      return;
    }
    this.#authenticated.delete(session);
    this.#deleteImplicit(session);
    for (const pattern of this.#subscriptions.get(session) ?? []) this.#indexRemove(pattern, session);
  }

  /** The session's subscriptions from now on (an empty set once it unsubscribed from everything). */
  subscriptionsOf(session: S): ReadonlySet<string> | undefined {
    return this.#subscriptions.get(session);
  }

  /** From its first subscription on, the session receives only what it subscribed to. */
  subscribe(session: S, pattern: string): void {
    let patterns = this.#subscriptions.get(session);
    if (patterns === undefined) {
      this.#subscriptions.set(session, (patterns = new Set()));
      this.#deleteImplicit(session);
    }
    if (patterns.has(pattern)) return;
    patterns.add(pattern);
    if (this.#authenticated.has(session)) this.#indexAdd(pattern, session);
  }

  unsubscribe(session: S, pattern: string): void {
    const patterns = this.#subscriptions.get(session);
    if (patterns?.delete(pattern) !== true) return;
    this.#indexRemove(pattern, session);
  }

  /** Forgets a closed session entirely. */
  remove(session: S): void {
    this.set(session, false);
    this.#subscriptions.delete(session);
  }

  #indexAdd(pattern: string, session: S): void {
    if (this.#index.add(pattern, session)) this.#interest.follow(pattern);
  }

  #indexRemove(pattern: string, session: S): void {
    if (this.#index.remove(pattern, session)) this.#interest.unfollow(pattern);
  }

  #addImplicit(session: S): void {
    if (this.#implicit.has(session)) return;
    this.#implicit.add(session);
    if (this.#implicit.size === 1) this.#interest.followImplicit();
  }

  #deleteImplicit(session: S): void {
    if (this.#implicit.delete(session) && this.#implicit.size === 0) this.#interest.unfollowImplicit();
  }

  /** Whether any session here may want the commits of `repository` (else they need not even be decoded). */
  wants(repository: string): boolean {
    return this.#implicit.size > 0 || this.#index.has(repository);
  }

  broadcast(batch: SequencedBatch, eventsJson: readonly string[] = eventsJsonOf(batch)): void {
    if (this.#authenticated.size === 0) return;
    const queued = this.#pending.get(batch.repository);
    if (queued === undefined) this.#pending.set(batch.repository, [{ batch, eventsJson }]);
    else queued.push({ batch, eventsJson });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // A microtask runs once the bus client has dispatched everything it read, before any timer or I/O.
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    // What an earlier flush left for later goes first: every session receives its commits in order.
    this.#flushDeferred();
    const pending = this.#pending;
    this.#pending = new Map();
    this.#flushScheduled = false;
    let frames = 0;
    for (const [repository, commits] of pending) {
      if (!this.wants(repository)) continue;
      const acksFirst = this.#acksAwaited(repository);
      for (const { batch, eventsJson } of mergeContiguous(commits)) {
        const frame = new SharedFrame(eventsFrame(batch.repository, eventsJson));
        if (!acksFirst) {
          frames += this.#deliver(batch, frame);
          continue;
        }
        const sent = new Set<S>();
        for (const sessions of this.#receivers(repository))
          for (const session of sessions)
            if (session.awaitingAck && session.deliver(batch, frame)) sent.add(session);
        frames += sent.size;
        this.#deferred.push({ batch, frame, sent });
      }
    }
    // Ticks queued here run once the microtasks are done: after the promise chains that send the acks. A tick
    // whose commits an earlier flush already sent finds nothing left.
    if (this.#deferred.length > 0) process.nextTick(this.#flushDeferredLater);
    this.#onFrames(frames);
  }

  #flushDeferred(): void {
    const deferred = this.#deferred;
    if (deferred.length === 0) return;
    this.#deferred = [];
    let frames = 0;
    for (const { batch, frame, sent } of deferred) frames += this.#deliver(batch, frame, sent);
    this.#onFrames(frames);
  }

  /** Sends the frame to every session that receives its repository but those in `sent`; how many took it. */
  #deliver(batch: SequencedBatch, frame: SharedFrame, sent?: ReadonlySet<S>): number {
    let frames = 0;
    for (const sessions of this.#receivers(batch.repository))
      for (const session of sessions)
        if (sent?.has(session) !== true && session.deliver(batch, frame)) frames += 1;
    return frames;
  }

  /** The implicit sessions, and those subscribed to `repository`: two disjoint sets. */
  #receivers(repository: string): ReadonlyArray<ReadonlySet<S>> {
    return [this.#implicit, this.#index.subscribers(repository)];
  }
}

/** Joins commits of one repository that follow each other (`from = previous to + 1`) into one. */
export function mergeContiguous(commits: readonly Commit[]): Commit[] {
  const merged: Commit[] = [];
  for (const commit of commits) {
    const last = merged.at(-1);
    const { batch } = commit;
    if (
      last !== undefined &&
      batch.fromSequence === last.batch.toSequence + 1 &&
      last.batch.events.length + batch.events.length <= MAX_MERGED_EVENTS
    ) {
      merged[merged.length - 1] = {
        batch: {
          repository: last.batch.repository,
          fromSequence: last.batch.fromSequence,
          toSequence: batch.toSequence,
          events: [...last.batch.events, ...batch.events],
        },
        eventsJson: [...last.eventsJson, ...commit.eventsJson],
      };
    } else {
      merged.push(commit);
    }
  }
  return merged;
}
