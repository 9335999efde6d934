import { sequencedBatchSchema } from '@lfsync/contracts';
import type { EventStore } from '@lfsync/event-store';
import type { Logger } from 'pino';
import type { PersisterMetrics } from '../metrics.ts';
import { planCommit, type PlannedBatch } from './commit-planner.ts';

/** One delivered log message, whatever carries it (JetStream in production). */
export interface LogDelivery {
  readonly data: Uint8Array;
  json(): unknown;
  ack(): void;
  /** Deliver again later. */
  retryLater(delayMs: number): void;
  /** Never deliver again (poison message). */
  reject(): void;
  /** Still working on it: postpone redelivery. */
  working(): void;
}

export interface CommitPublisher {
  /** Announces a committed batch; `data` is its JSON. */
  publish(repository: string, data: Uint8Array): void;
}

const BLOCKED_RETRY_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/**
 * Writes groups of log batches to the store in sequence order, raises the heads, then announces the
 * commits and acknowledges the log. A failed write is retried (with backoff) before anything newer is
 * taken, and nothing is acknowledged before it is stored.
 */
export class LogPersister {
  readonly #store: EventStore;
  readonly #publisher: CommitPublisher;
  readonly #logger: Logger;
  readonly #metrics: PersisterMetrics;
  readonly #heads = new Map<string, number>();
  #stopping = false;

  constructor(options: {
    store: EventStore;
    publisher: CommitPublisher;
    logger: Logger;
    metrics: PersisterMetrics;
  }) {
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  stop(): void {
    this.#stopping = true;
  }

  async persist(deliveries: readonly LogDelivery[]): Promise<void> {
    const items = this.#parse(deliveries);
    for (let attempt = 0; !this.#stopping; attempt++) {
      try {
        await this.#persistOnce(items);
        return;
      } catch (err) {
        this.#heads.clear();
        this.#metrics.writeFailures.inc();
        const delayMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        this.#logger.error({ err, attempt, delayMs }, 'persisting failed, retrying');
        for (const item of items) item.source.working();
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  #parse(deliveries: readonly LogDelivery[]): PlannedBatch<LogDelivery>[] {
    const items: PlannedBatch<LogDelivery>[] = [];
    for (const delivery of deliveries) {
      let json: unknown;
      try {
        json = delivery.json();
      } catch {
        json = undefined;
      }
      const parsed = sequencedBatchSchema.safeParse(json);
      if (parsed.success) {
        items.push({ batch: parsed.data, source: delivery });
      } else {
        this.#metrics.invalid.inc();
        this.#logger.error({ issues: parsed.error.issues.slice(0, 3) }, 'invalid log message rejected');
        delivery.reject();
      }
    }
    return items;
  }

  async #persistOnce(items: readonly PlannedBatch<LogDelivery>[]): Promise<void> {
    await this.#loadHeads(items.map((i) => i.batch.repository));
    let plan = planCommit(items, this.#heads);
    if (plan.blocked.length > 0) {
      // Another persister replica may have committed the missing batches: look again before postponing.
      for (const item of plan.blocked) this.#heads.delete(item.batch.repository);
      await this.#loadHeads(plan.blocked.map((i) => i.batch.repository));
      plan = planCommit(items, this.#heads);
    }

    if (plan.ready.length > 0) {
      const stopTimer = this.#metrics.writeLatency.startTimer();
      const { displacedEventIds } = await this.#store.insert(plan.ready.map((p) => p.batch));
      await this.#store.advanceHeads(plan.heads);
      stopTimer();
      if (displacedEventIds.length > 0) {
        this.#metrics.displaced.inc(displacedEventIds.length);
        this.#logger.error({ displacedEventIds }, 'event ids found stored at another sequence');
      }
      for (const [repository, head] of plan.heads) this.#heads.set(repository, head);
      const events = plan.ready.reduce((n, p) => n + p.batch.events.length, 0);
      this.#metrics.events.inc(events);
      this.#metrics.groupSize.observe(events);
    }

    for (const item of [...plan.ready, ...plan.stored]) {
      this.#publisher.publish(item.batch.repository, item.source.data);
      item.source.ack();
    }
    this.#metrics.redelivered.inc(plan.stored.length);
    if (plan.blocked.length > 0) {
      this.#metrics.blocked.inc(plan.blocked.length);
      this.#logger.warn({ blocked: plan.blocked.length }, 'batches wait for an earlier batch');
      for (const item of plan.blocked) {
        this.#heads.delete(item.batch.repository);
        item.source.retryLater(BLOCKED_RETRY_MS);
      }
    }
  }

  async #loadHeads(repositories: readonly string[]): Promise<void> {
    const missing = [...new Set(repositories)].filter((r) => !this.#heads.has(r));
    const heads = await Promise.all(missing.map((r) => this.#store.head(r)));
    missing.forEach((r, i) => this.#heads.set(r, heads[i] ?? 0));
  }
}
