import {
  systemClock,
  type Cancel,
  type Clock,
  type CommitPublisher,
  type EventWriter,
  type LogDelivery,
} from '@lfsync/ports';
import type { Logger } from 'pino';
import type { PersisterMetrics } from '../metrics.ts';
import { decodeDeliveries, planCommit, type CommitPlan, type PlannedBatch } from './commit-planner.ts';
import { HeadRaiser } from './head-raiser.ts';
import { warnWhileSlow } from './slow-commit-warning.ts';
import { IndexProgress } from './index-progress.ts';
import { missingBatches, type LogReader } from './held-up-batches.ts';
import { skipLostRanges } from './lost-ranges.ts';

export type { LogReader } from './held-up-batches.ts';

const BLOCKED_RETRY_MS = 250;
const MAX_BACKOFF_MS = 5_000;
/** How often index progress that no head raise carried is written on its own (at most). */
const RECORD_INDEX_EVERY_MS = 1_000;
/** Groups announced whose index is not written yet, at most: then the next group waits. */
const MAX_GROUPS_INDEXING = 8;
/**
 * Groups indexed by one write, at most. While the next group is being written, the index waits for it, so
 * a busy persister sends one index write per few groups (FerretDB: about 1.6 ms a command, 41 µs an event).
 */
const GROUPS_PER_INDEX_WRITE = 4;
/**
 * How long the index of a group waits for later groups (up to `GROUPS_PER_INDEX_WRITE`) when no other group
 * is being written; those arriving meanwhile are indexed with it. 5 ms beat no wait (session11-ab.md); 100 ms,
 * ending once enough came, saved FerretDB 17 % and the persister 15 % of their CPU at 20 commits/s against
 * 5 ms, push → ack latency unchanged (bench/results/2026-12-02-session14-ab.md).
 */
const INDEX_QUIET_MS = 100;

type Items = readonly PlannedBatch<LogDelivery>[];

/** What a group stores, and the heads of the repositories it stores first (none stored or in flight before). */
type Plan = CommitPlan<LogDelivery> & { firstHeads: ReadonlyMap<string, number> };

/** A group taken: its plan, its deliveries, and its commit. */
interface Group {
  plan: CommitPlan<LogDelivery>;
  items: Items;
  commit: Promise<string[]>;
  /** Set once announced: the event ids its insert displaced. */
  displaced?: string[];
}

class Stopped extends Error {}

/**
 * Writes groups of log batches to the store in sequence order, raises the heads, announces the commits,
 * then indexes them (`EventWriter.index`) and acknowledges the log. Up to `writesInFlight` groups are
 * written at once, but groups are announced and heads raised strictly group after group, each only once
 * every group before it is stored: a head never passes a sequence that is not stored (I3). Where the
 * store's reads follow the batches stored past the raised head (`headFollowsBatches`), a group is announced
 * once stored and its heads are raised once it is indexed, by a `HeadRaiser`. The index is written after the
 * announcement, for a few groups at a time, while the next group is written: readers cover what is not
 * indexed yet from the stored batches (the store's "index tail"). A failed write is retried (with backoff),
 * and nothing is acknowledged before it is stored and indexed.
 */
export class LogPersister {
  readonly #store: EventWriter;
  readonly #publisher: CommitPublisher;
  readonly #logger: Logger;
  readonly #metrics: PersisterMetrics;
  readonly #writesInFlight: number;
  readonly #indexQuietMs: number;
  readonly #logReader: LogReader | undefined;
  readonly #clock: Clock;
  /** Per repository, the highest sequence stored or being stored by a group in flight. */
  readonly #heads = new Map<string, number>();
  readonly #index = new IndexProgress();
  /** Set when the store counts batches past the raised head: heads are then raised after the announcement. */
  readonly #laterHeads: HeadRaiser | undefined;
  #cancelRecording: Cancel | undefined;
  /** Groups announced, not indexed yet. */
  #indexing = 0;
  #inFlight = 0;
  #waitingForRoom: Array<() => void> = [];
  /** Completes when the last group taken has raised its heads (or given up because of a stop). */
  #lastCommit: Promise<void> = Promise.resolve();
  /** Completes when the last group taken is indexed and acknowledged (or given up). */
  #lastIndex: Promise<void> = Promise.resolve();
  /** Groups taken whose index write has not started, in order (one gone is indexed, or in an earlier one's write). */
  #unindexed: Group[] = [];
  /** Set while the index waits for a quiet moment: called when a group is taken. */
  #groupTaken: (() => void) | undefined;
  #stopping = false;

  constructor(options: {
    store: EventWriter;
    publisher: CommitPublisher;
    logger: Logger;
    metrics: PersisterMetrics;
    writesInFlight?: number;
    /** `INDEX_QUIET_MS` unless given. */
    indexQuietMs?: number;
    /**
     * Without it, a batch missing before others waits until the log redelivers it — after a persister
     * crash, the consumer's ack wait (30 s). With it, the missing batches are read at once.
     */
    logReader?: LogReader;
    clock?: Clock;
  }) {
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#writesInFlight = Math.max(1, options.writesInFlight ?? 1);
    this.#indexQuietMs = options.indexQuietMs ?? INDEX_QUIET_MS;
    this.#logReader = options.logReader;
    this.#clock = options.clock ?? systemClock;
    this.#laterHeads =
      this.#store.headFollowsBatches === true ? new HeadRaiser((h) => this.#raise(h)) : undefined;
  }

  stop(): void {
    this.#stopping = true;
    this.#cancelRecording?.();
    this.#groupTaken?.();
    for (const wake of this.#waitingForRoom.splice(0)) wake();
  }

  /** Resolves when every group taken so far is committed and acknowledged (or abandoned by a stop). */
  async idle(): Promise<void> {
    await this.#lastCommit.catch(() => undefined);
    await this.#lastIndex.catch(() => undefined);
    await this.#laterHeads?.idle();
    if (this.#stopping) await this.#recordIndex();
  }

  /**
   * Takes a group of deliveries; resolves once its write is under way and another group may be taken
   * (with `writesInFlight` 1: once it is committed).
   */
  async persist(deliveries: readonly LogDelivery[]): Promise<void> {
    while (
      (this.#inFlight >= this.#writesInFlight || this.#indexing >= MAX_GROUPS_INDEXING) &&
      !this.#stopping
    )
      await new Promise<void>((resolve) => this.#waitingForRoom.push(resolve));
    if (this.#stopping) return;
    const items = this.#parse(deliveries);
    let plan: Plan;
    try {
      plan = await this.#retrying(items, () => this.#plan(items));
    } catch (err) {
      if (err instanceof Stopped) return;
      throw err;
    }
    this.#inFlight += 1;
    this.#groupTaken?.();
    const commit = this.#commit(plan, items);
    const group: Group = { plan, items, commit };
    this.#unindexed.push(group);
    const committed = commit.then((displaced) => {
      group.displaced = displaced;
    });
    committed.catch(() => undefined); // reported below; the next group's commit fails with it
    this.#lastCommit = committed;
    this.#indexing += 1;
    const indexed = this.#indexAfter(group);
    this.#lastIndex = indexed;
    this.#whenSettled(indexed, 'index abandoned', () => (this.#indexing -= 1));
    this.#whenSettled(commit, 'commit abandoned', () => (this.#inFlight -= 1));
    if (this.#writesInFlight === 1) await this.#lastCommit.catch(() => undefined);
  }

  /** Once `work` settles: logs its failure (a stop is none), frees its room, wakes a group waiting for it. */
  #whenSettled(work: Promise<unknown>, failure: string, free: () => void): void {
    work
      .catch((err: unknown) => {
        if (!(err instanceof Stopped)) this.#logger.error({ err }, failure);
      })
      .finally(() => {
        free();
        this.#waitingForRoom.shift()?.();
      });
  }

  /**
   * Writes the group's batches at once; once the group before is committed, raises its heads and announces
   * it. Resolves with the event ids the insert displaced.
   */
  #commit(plan: Plan, items: Items): Promise<string[]> {
    const started = performance.now();
    const written = this.#retrying(items, () =>
      this.#store.insertBodies(
        plan.ready.map((p) => p.batch),
        plan.ready.map((p) => p.eventsJson),
      ),
    );
    written.catch(() => undefined); // awaited below, in order
    const previous = this.#lastCommit;
    let stage = 'waiting for the group before';
    const stopWatchdog = warnWhileSlow(this.#clock, this.#logger, () => stage);
    return (async () => {
      await previous;
      stage = 'inserting';
      const { displacedEventIds } = await written;
      stage = 'raising heads';
      // Raised later, except a new repository's: `repositories` lists it once its first commit is acked.
      const before = this.#laterHeads === undefined ? plan.heads : plan.firstHeads;
      if (before.size > 0) await this.#raise(before, items);
      this.#announce(plan, performance.now() - started);
      return displacedEventIds;
    })().finally(stopWatchdog);
  }

  /** Raises `heads`, recording how far their repositories are indexed; retried until it succeeds (or a stop). */
  async #raise(heads: ReadonlyMap<string, number>, items: Items = []): Promise<void> {
    const raising = performance.now();
    const indexedThrough = this.#index.toRecord(heads.keys());
    await this.#retrying(items, () => this.#store.advanceHeads(heads, indexedThrough));
    this.#metrics.headsLatency.observe((performance.now() - raising) / 1000);
  }

  /**
   * Once the group is announced and the group before is indexed: indexes its batches (those stored before
   * too: a redelivery may come from a persister that stopped before its index) together with the groups
   * announced after it (up to `GROUPS_PER_INDEX_WRITE`, waiting for one being written), then acknowledges.
   * A group given up (a stop) fails every later one: no index is ever counted past a group not indexed.
   */
  async #indexAfter(group: Group): Promise<void> {
    const previous = this.#lastIndex;
    await group.commit;
    await previous;
    if (!this.#unindexed.includes(group)) return; // indexed with an earlier group
    const groups = await this.#groupsToIndex();
    const items = groups.flatMap((g) => g.items);
    const batches = groups.flatMap((g) => [...g.plan.ready, ...g.plan.stored].map((p) => p.batch));
    const { displacedEventIds } = await this.#retrying(items, () => this.#store.index(batches));
    for (const { plan } of groups)
      for (const [repository, head] of plan.heads) this.#index.indexedThrough(repository, head);
    // With the index, so one write records both, and a quiet repository's heads wait no more than it.
    this.#laterHeads?.raise(new Map(groups.flatMap(({ plan }) => [...plan.heads])));
    for (const g of groups)
      this.#acknowledge(g.plan, [...(g.displaced ?? []), ...(g === group ? displacedEventIds : [])]);
    this.#recordIndexSoon();
  }

  /**
   * The announced groups at the front of the line, at most `GROUPS_PER_INDEX_WRITE`: while a later group is
   * being written (it is taken within the turn its predecessor is announced), they wait for it; else for
   * the next group, up to `INDEX_QUIET_MS` in all.
   */
  async #groupsToIndex(): Promise<Group[]> {
    const announced = () => this.#unindexed.filter((g) => g.displaced !== undefined).length;
    await new Promise((resolve) => setImmediate(resolve));
    const deadline = this.#clock.now() + this.#indexQuietMs;
    for (;;) {
      while (this.#inFlight > 0 && announced() < GROUPS_PER_INDEX_WRITE && !this.#stopping)
        await this.#lastCommit.catch(() => undefined);
      const left = deadline - this.#clock.now();
      if (announced() >= GROUPS_PER_INDEX_WRITE || left <= 0 || this.#stopping) break;
      await this.#nextGroupWithin(left);
    }
    const count = Math.min(announced(), GROUPS_PER_INDEX_WRITE);
    return this.#unindexed.splice(0, Math.max(1, count));
  }

  /** Resolves when a group is taken, or after `ms`. */
  #nextGroupWithin(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#clock.schedule(ms, () => this.#groupTaken?.());
      this.#groupTaken = () => {
        this.#groupTaken = undefined;
        cancel();
        resolve();
      };
    });
  }

  /**
   * A head raise records how far its repositories' index goes; what no head raise carried (a repository gone
   * quiet) is written on its own within a second, so its index tail is not read by every look-up meanwhile.
   */
  #recordIndexSoon(): void {
    if (this.#cancelRecording !== undefined || this.#stopping) return;
    this.#cancelRecording = this.#clock.schedule(RECORD_INDEX_EVERY_MS, () => {
      this.#cancelRecording = undefined;
      void this.#recordIndex();
    });
  }

  async #recordIndex(): Promise<void> {
    const indexed = this.#index.unrecorded();
    if (indexed.size === 0) return;
    try {
      // s = what is indexed, itself at or below the head: `$max` leaves the head as it is.
      await this.#store.advanceHeads(indexed, indexed);
      this.#index.recorded(indexed);
    } catch (err) {
      this.#logger.warn({ err }, 'recording the index progress failed');
    }
  }

  #parse(deliveries: readonly LogDelivery[]): PlannedBatch<LogDelivery>[] {
    return decodeDeliveries(deliveries, (delivery, reason) => {
      this.#metrics.invalid.inc();
      this.#logger.error({ reason }, 'invalid log message rejected');
      delivery.reject();
    });
  }

  /** Decides what this group stores, counting the groups in flight as stored, and books its heads. */
  async #plan(items: Items): Promise<Plan> {
    await this.#loadHeads(items.map((i) => i.batch.repository));
    let plan = planCommit(items, this.#heads);
    if (plan.blocked.length > 0 && this.#inFlight === 0) {
      // Another persister replica may have committed the missing batches: look again before postponing.
      for (const item of plan.blocked) this.#heads.delete(item.batch.repository);
      await this.#loadHeads(plan.blocked.map((i) => i.batch.repository));
      plan = planCommit(items, this.#heads);
      if (plan.blocked.length > 0 && this.#logReader !== undefined) {
        const fetched = await missingBatches(this.#logReader, plan.blocked, this.#heads);
        if (fetched.length > 0) this.#metrics.fetchedFromLog.inc(fetched.length);
        plan = planCommit([...items, ...fetched], this.#heads);
        if (plan.blocked.length > 0 && (await this.#skipLost(plan.blocked)))
          plan = planCommit([...items, ...fetched], this.#heads);
      }
    }
    const firstHeads = new Map([...plan.heads].filter(([repository]) => !this.#heads.get(repository)));
    for (const [repository, head] of plan.heads) this.#heads.set(repository, head);
    return { ...plan, firstHeads };
  }

  /** Reports (log, metric) and skips ranges lost with a restore from an older backup; true if any. */
  async #skipLost(blocked: Items): Promise<boolean> {
    const repositories = new Set(blocked.map((b) => b.batch.repository));
    const lost = await skipLostRanges(repositories, this.#heads, this.#logReader as LogReader, this.#store);
    for (const range of lost) {
      const count = range.toSequence - range.fromSequence + 1;
      this.#metrics.lost.inc(count);
      this.#logger.error({ ...range, count }, 'events lost: not in MongoDB, no longer in the log');
    }
    return lost.length > 0;
  }

  /** The group is stored and its heads raised: readers may see it (its log messages are acked later). */
  #announce(plan: CommitPlan<LogDelivery>, elapsedMs: number): void {
    if (plan.ready.length > 0) {
      this.#metrics.writeLatency.observe(elapsedMs / 1000);
      const events = plan.ready.reduce((n, p) => n + p.batch.events.length, 0);
      this.#metrics.events.inc(events);
      this.#metrics.groupSize.observe(events);
      for (const { batch } of plan.ready)
        this.#metrics.activity.committed(batch.repository, batch.toSequence, batch.events.length);
    }
    for (const item of [...plan.ready, ...plan.stored])
      this.#publisher.publish(item.batch.repository, item.source.data);
    this.#metrics.redelivered.inc(plan.stored.length);
    if (plan.blocked.length > 0) {
      this.#metrics.blocked.inc(plan.blocked.length);
      this.#logger.warn({ blocked: plan.blocked.length }, 'batches wait for an earlier batch');
      for (const item of plan.blocked) item.source.retryLater(BLOCKED_RETRY_MS);
    }
  }

  #acknowledge(plan: CommitPlan<LogDelivery>, displacedEventIds: readonly string[]): void {
    if (displacedEventIds.length > 0) {
      this.#metrics.displaced.inc(displacedEventIds.length);
      this.#logger.error({ displacedEventIds }, 'event ids found stored at another sequence');
    }
    for (const item of [...plan.ready, ...plan.stored]) item.source.ack();
  }

  /**
   * Runs `operation` until it succeeds (it must be idempotent), backing off. A stop lets a group already
   * taken finish, but ends its retries (throws Stopped): what is not acknowledged is delivered again.
   */
  async #retrying<T>(items: Items, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && this.#stopping) throw new Stopped('persister stopping');
      try {
        return await operation();
      } catch (err) {
        this.#metrics.writeFailures.inc();
        const delayMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        this.#logger.error({ err, attempt, delayMs }, 'persisting failed, retrying');
        for (const item of items) item.source.working();
        await this.#clock.sleep(delayMs);
      }
    }
  }

  /** Heads taken from the store come indexed up to them (`resumeAt`). */
  async #loadHeads(repositories: readonly string[]): Promise<void> {
    const missing = [...new Set(repositories)].filter((r) => !this.#heads.has(r));
    const heads = await Promise.all(missing.map((r) => this.#store.resumeAt(r)));
    missing.forEach((r, i) => {
      const head = heads[i] ?? 0;
      this.#heads.set(r, head);
      this.#index.resumed(r, head);
    });
  }
}
