import { systemClock, type Clock, type EventReader } from '@lfsync/ports';

interface Waiter {
  sequence: number;
  resolve(committed: boolean): void;
}

const MAX_TRACKED_REPOSITORIES = 100_000;

/** Told when the gateway starts and stops waiting for commits of a repository. */
interface ExpectedCommits {
  follow(repository: string): void;
  unfollow(repository: string): void;
}

const NOT_TOLD: ExpectedCommits = { follow: () => undefined, unfollow: () => undefined };

/**
 * Knows how far each repository is committed (from the commit broadcasts) and lets a push wait until its
 * sequences are durable. When a broadcast was missed, the store is asked before giving up.
 */
export class CommitTracker {
  readonly #store: Pick<EventReader, 'head'>;
  readonly #heads = new Map<string, number>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  /** Repository → pushes in flight: their commits must be read even when no session here subscribed. */
  readonly #expected = new Map<string, number>();
  readonly #clock: Clock;
  readonly #interest: ExpectedCommits;

  constructor(store: Pick<EventReader, 'head'>, clock: Clock = systemClock, interest = NOT_TOLD) {
    this.#store = store;
    this.#clock = clock;
    this.#interest = interest;
  }

  /**
   * A push to `repository` starts; call the returned function once it is settled. Its commit is followed
   * from here on: the bus subscription goes out before the push's request on the same connection, so the
   * server knows of it before the commit can be published.
   */
  expect(repository: string): () => void {
    const pushes = (this.#expected.get(repository) ?? 0) + 1;
    this.#expected.set(repository, pushes);
    if (pushes === 1) this.#interest.follow(repository);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#expected.get(repository) ?? 1) - 1;
      if (left > 0) return void this.#expected.set(repository, left);
      this.#expected.delete(repository);
      this.#interest.unfollow(repository);
    };
  }

  expects(repository: string): boolean {
    return this.#expected.has(repository);
  }

  committed(repository: string, toSequence: number): void {
    const known = this.#heads.get(repository) ?? 0;
    if (toSequence > known) {
      if (!this.#heads.has(repository) && this.#heads.size >= MAX_TRACKED_REPOSITORIES) this.#forgetOldest();
      this.#heads.set(repository, toSequence);
    }
    const waiters = this.#waiters.get(repository);
    if (waiters === undefined) return;
    for (const waiter of waiters) {
      if (waiter.sequence <= toSequence) {
        waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
    if (waiters.size === 0) this.#waiters.delete(repository);
  }

  /**
   * Resolves true once `sequence` of `repository` is committed, false after `timeoutMs` if it is not.
   * `askStore`: the sequence may have been committed before anyone here listened (a re-pushed event whose
   * broadcast this gateway skipped), so the store is asked at once as well.
   */
  async waitFor(repository: string, sequence: number, timeoutMs: number, askStore = false): Promise<boolean> {
    if ((this.#heads.get(repository) ?? 0) >= sequence) return true;
    if (askStore) {
      this.#store
        .head(repository)
        .then((head) => head >= sequence && this.committed(repository, head))
        .catch(() => undefined);
    }
    const committed = await new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        sequence,
        resolve: (ok) => {
          cancelTimer();
          resolve(ok);
        },
      };
      const cancelTimer = this.#clock.schedule(timeoutMs, () => {
        this.#waiters.get(repository)?.delete(waiter);
        resolve(false);
      });
      let set = this.#waiters.get(repository);
      if (set === undefined) this.#waiters.set(repository, (set = new Set()));
      set.add(waiter);
    });
    if (committed) return true;
    const head = await this.#store.head(repository).catch(() => 0);
    if (head >= sequence) this.committed(repository, head);
    return head >= sequence;
  }

  #forgetOldest(): void {
    const oldest = this.#heads.keys().next();
    if (oldest.done !== true) this.#heads.delete(oldest.value);
  }
}
