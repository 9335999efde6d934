import { hash } from 'node:crypto';
import {
  AppError,
  SEQUENCING_DEADLINE_MS,
  type SequenceResult,
  type SequencedBatch,
  type ServerEvent,
} from '@lfsync/contracts';
import { systemClock, type Clock, type EventIndex, type LogHead, type SequenceLog } from '@lfsync/ports';

export type SequencerEvent = Record<string, unknown> & { _event_id: string };

interface PendingRequest {
  events: SequencerEvent[];
  bytes: number;
  queuedAt: number;
  resolve(results: SequenceResult[]): void;
  reject(err: unknown): void;
}

const MAX_CONFLICT_RETRIES = 50;
/** Beyond this many events waiting for one repository, new requests are turned away at once. */
const MAX_QUEUED_EVENTS = 20_000;

/**
 * Assigns the next sequences of one repository. Requests that arrive while an append is in flight are
 * appended together in the next one (group commit), so a busy repository costs one log append per round
 * trip, not one per event. Correctness does not rest on this process being the only sequencer: every
 * append is conditional on the log's version, and on a conflict the head is re-read.
 */
export class RepositorySequencer {
  readonly #repository: string;
  readonly #log: SequenceLog;
  readonly #index: EventIndex;
  readonly #maxAppendBytes: number;
  readonly #onAppend: (events: number, conflicts: number) => void;
  readonly #maxQueuedEvents: number;
  readonly #requestDeadlineMs: number;
  readonly #clock: Clock;
  #queue: PendingRequest[] = [];
  #queuedEvents = 0;
  #draining = false;
  #head: LogHead | undefined;
  /** The last appended batch's index writes; the next append waits for them (never rejects). */
  #indexing: Promise<void> = Promise.resolve();
  /** Event ids of the last appended batch: known before their index writes land. */
  #lastAppended = new Map<string, number>();

  constructor(options: {
    repository: string;
    log: SequenceLog;
    index: EventIndex;
    maxAppendBytes: number;
    onAppend?: (events: number, conflicts: number) => void;
    maxQueuedEvents?: number;
    /** A request that waited this long is answered "retry": its requester has given up. */
    requestDeadlineMs?: number;
    clock?: Clock;
  }) {
    this.#repository = options.repository;
    this.#log = options.log;
    this.#index = options.index;
    this.#maxAppendBytes = options.maxAppendBytes;
    this.#onAppend = options.onAppend ?? (() => {});
    this.#maxQueuedEvents = options.maxQueuedEvents ?? MAX_QUEUED_EVENTS;
    this.#requestDeadlineMs = options.requestDeadlineMs ?? SEQUENCING_DEADLINE_MS;
    this.#clock = options.clock ?? systemClock;
  }

  /** Events waiting to be sequenced. */
  get queuedEvents(): number {
    return this.#queuedEvents;
  }

  get idle(): boolean {
    return !this.#draining && this.#queue.length === 0;
  }

  /**
   * Under overload (clients re-sending faster than the log takes appends) requests are turned away early
   * instead of queueing without bound, so the queue drains and the service recovers by itself.
   */
  sequence(events: SequencerEvent[], bytes: number): Promise<SequenceResult[]> {
    if (this.#queuedEvents + events.length > this.#maxQueuedEvents && this.#queue.length > 0) {
      return Promise.reject(busy(`repository ${this.#repository}: too many events waiting to be sequenced`));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ events, bytes, queuedAt: this.#clock.now(), resolve, reject });
      this.#queuedEvents += events.length;
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const group = this.#takeGroup();
        try {
          const results = await this.#appendGroup(group.flatMap((r) => r.events));
          let offset = 0;
          for (const request of group) {
            request.resolve(results.slice(offset, offset + request.events.length));
            offset += request.events.length;
          }
        } catch (err) {
          this.#head = undefined;
          for (const request of group) request.reject(err);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #takeGroup(): PendingRequest[] {
    const group: PendingRequest[] = [];
    const staleBefore = this.#clock.now() - this.#requestDeadlineMs;
    let bytes = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as PendingRequest;
      if (next.queuedAt < staleBefore) {
        this.#queue.shift();
        this.#queuedEvents -= next.events.length;
        next.reject(busy(`repository ${this.#repository}: request waited too long`));
        continue;
      }
      if (group.length > 0 && bytes + next.bytes > this.#maxAppendBytes) break;
      group.push(next);
      bytes += next.bytes;
      this.#queue.shift();
      this.#queuedEvents -= next.events.length;
    }
    return group;
  }

  async #appendGroup(events: SequencerEvent[]): Promise<SequenceResult[]> {
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const { head, known } = await this.#lookUp(events);
      const { results, fresh } = assign(events, known, head.sequence);
      if (fresh.length === 0) return results;

      const batch: SequencedBatch = {
        repository: this.#repository,
        fromSequence: head.sequence + 1,
        toSequence: head.sequence + fresh.length,
        events: fresh,
      };
      const outcome = await this.#log.append(batch, head.version, appendId(this.#repository, fresh));
      switch (outcome.kind) {
        case 'conflict':
          this.#head = undefined;
          this.#onAppend(0, 1);
          continue;
        case 'duplicate': {
          // The same append went through before (our earlier attempt timed out after it was stored).
          await this.#indexBatch(outcome.batch);
          this.#head = undefined;
          continue;
        }
        case 'appended':
          this.#head = { sequence: batch.toSequence, version: outcome.version };
          this.#indexInBackground(batch);
          this.#onAppend(fresh.length, 0);
          return results;
      }
    }
    // Other replicas keep winning the race: the push is retryable, not a bug.
    throw new AppError(
      'UNAVAILABLE',
      `repository ${this.#repository}: gave up after ${MAX_CONFLICT_RETRIES} conflicting appends`,
    );
  }

  /**
   * The head to append after and the group's ids already sequenced. The look-up overlaps the previous
   * batch's index writes (its ids are taken from memory meanwhile); a head to reload waits for them.
   */
  async #lookUp(events: readonly SequencerEvent[]): Promise<{ head: LogHead; known: Map<string, number> }> {
    const ids = [...new Set(events.map((e) => e._event_id))];
    let head = this.#head;
    let known: Map<string, number>;
    if (head === undefined) {
      await this.#indexing;
      head = await this.#loadHead();
      known = await this.#index.getMany(this.#repository, ids);
    } else {
      [known] = await Promise.all([this.#index.getMany(this.#repository, ids), this.#indexing]);
      // The index writes failed: reload the head, which indexes the last batch again.
      if (this.#head === undefined) return this.#lookUp(events);
    }
    return { head, known: this.#withLastAppended(known, ids) };
  }

  #withLastAppended(known: Map<string, number>, ids: readonly string[]): Map<string, number> {
    let merged: Map<string, number> | undefined;
    for (const id of ids) {
      const sequence = this.#lastAppended.get(id);
      if (sequence !== undefined) (merged ??= new Map(known)).set(id, sequence);
    }
    return merged ?? known;
  }

  /**
   * Answers go out as soon as the batch is in the log; the next append waits for these index writes, so
   * at most the last batch is ever unindexed, and `#loadHead` indexes exactly that one.
   */
  #indexInBackground(batch: SequencedBatch): void {
    this.#lastAppended = new Map(batch.events.map((e) => [e._event_id, e.serverSequence]));
    this.#indexing = this.#indexBatch(batch).catch(() => {
      this.#head = undefined;
    });
  }

  /**
   * A sequencer may have died between appending a batch and indexing its event ids; indexing the last
   * batch whenever the head is (re)loaded closes that gap before anyone appends after it.
   */
  async #loadHead(): Promise<LogHead> {
    const { head, lastBatch } = await this.#log.head(this.#repository);
    if (lastBatch !== undefined) await this.#indexBatch(lastBatch);
    this.#head = head;
    return head;
  }

  #indexBatch(batch: SequencedBatch): Promise<void> {
    return this.#index.putMany(
      batch.repository,
      batch.events.map((e) => [e._event_id, e.serverSequence] as const),
    );
  }
}

/**
 * Gives each not-yet-known event the next sequence; repeats (known, or twice in the group) get the first one.
 * The events are the requests' own (parsed from their messages for this), so a fresh event is numbered in
 * place rather than copied: a copy per event was the sequencer's largest allocation. A retried group is
 * numbered again; an event that has become a repeat keeps a stale number but is in no batch.
 */
export function assign(
  events: readonly SequencerEvent[],
  known: ReadonlyMap<string, number>,
  headSequence: number,
): { results: SequenceResult[]; fresh: ServerEvent[] } {
  const assigned = new Map<string, number>();
  const fresh: ServerEvent[] = [];
  const results: SequenceResult[] = [];
  let next = headSequence;
  for (const event of events) {
    const eventId = event._event_id;
    const existing = known.get(eventId) ?? assigned.get(eventId);
    if (existing !== undefined) {
      results.push({ eventId, sequence: existing, duplicate: true });
      continue;
    }
    next += 1;
    assigned.set(eventId, next);
    event['serverSequence'] = next;
    fresh.push(event as ServerEvent);
    results.push({ eventId, sequence: next, duplicate: false });
  }
  return { results, fresh };
}

function busy(message: string): AppError {
  return new AppError('UNAVAILABLE', message, { retryAfterMs: 1_000 });
}

/**
 * Identifies the append by its events (not its slot), so a retried append is recognised as the same: the
 * SHA-256 of the event ids, each followed by a NUL, hashed in one call.
 */
function appendId(repository: string, events: readonly ServerEvent[]): string {
  let ids = '';
  for (const e of events) ids += `${e._event_id}\u0000`;
  return `${repository}:${hash('sha256', ids, 'base64url')}`;
}
