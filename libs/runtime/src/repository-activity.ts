import { MAX_STATS_REPOSITORIES, type CommittedRepositoryStats } from '@lfsync/contracts';

/**
 * Commits per repository since the last `take()`: the head reached and the events stored. Bounded by the
 * repositories committed to in one stats interval; `take()` keeps the busiest and starts over.
 */
export class RepositoryActivity {
  #repositories = new Map<string, { head: number; events: number }>();

  committed(repository: string, head: number, events: number): void {
    const entry = this.#repositories.get(repository);
    if (entry === undefined) this.#repositories.set(repository, { head, events });
    else {
      entry.head = Math.max(entry.head, head);
      entry.events += events;
    }
  }

  /** The busiest repositories since the last call (most events first), then forgets them all. */
  take(limit = MAX_STATS_REPOSITORIES): CommittedRepositoryStats[] {
    const taken = [...this.#repositories].map(([repository, { head, events }]) => ({
      repository,
      head,
      events,
    }));
    this.#repositories = new Map();
    return taken.sort((a, b) => b.events - a.events).slice(0, limit);
  }
}
