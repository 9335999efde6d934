import type { SequencedBatch, ServerEvent } from '@lfsync/contracts';
import type { EntityEvent, EventReader, StoredEvent } from '@lfsync/ports';

/**
 * Rough per-event cost counted beyond its JSON text: the string's header and its array slot, with the
 * margin of the object each event had before, so the window holds as many events as it did.
 */
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * The newest events of one repository, contiguous: `texts[i]` is the JSON of sequence `first + i`. Texts
 * only, no object per event: every committed event passes through here and is kept a while, so each object
 * would be promoted out of the young generation and then marked by every full GC.
 */
interface Run {
  first: number;
  texts: string[];
  bytes: number;
  /** When a commit of the repository last came that a session or push here needed. */
  wantedAtMs: number;
}

/** The held events from `texts[0]` at sequence `first`, as readers get them. */
interface Held {
  first: number;
  texts: readonly string[];
}

function storedEvents({ first, texts }: Held, from: number, to: number): StoredEvent[] {
  return texts.slice(from, to).map((json, i) => ({ sequence: first + from + i, json }));
}

/**
 * The event store as readers see it, with the most recent committed events of each repository kept in memory (up to
 * `maxBytes` in all), fed by the commit broadcasts this gateway receives anyway. A catch-up or page read
 * that starts inside that window is served from memory: a reconnecting client, or a fresh one on a
 * repository this gateway has seen from its start, costs the database nothing. Everything else, and a
 * window that may have missed broadcasts (`forget()` after a bus reconnect), goes to the store.
 *
 * A read of a repository whose broadcasts are just being subscribed to waits for `untilLive` first: every
 * commit is then either in what the read returns or received as a broadcast after it (I5).
 */
export class RecentEventsStore implements EventReader {
  readonly #store: EventReader;
  readonly #maxBytes: number;
  /** In order of last write: the first is evicted first. */
  readonly #runs = new Map<string, Run>();
  readonly #untilLive: (repository: string) => Promise<void> | undefined;
  readonly #lingerMs: number;
  #bytes = 0;

  constructor(
    store: EventReader,
    maxBytes: number,
    untilLive: (repository: string) => Promise<void> | undefined = () => undefined,
    lingerMs = 0,
  ) {
    this.#store = store;
    this.#maxBytes = maxBytes;
    this.#untilLive = untilLive;
    this.#lingerMs = lingerMs;
  }

  get cachedBytes(): number {
    return this.#bytes;
  }

  /**
   * A committed batch, in the order the bus delivered it, with its events' JSON (`eventsJson[i]`);
   * `wantedAtMs` is given when a session or push here needed it (see `lingers`).
   */
  remember(batch: SequencedBatch, eventsJson: readonly string[], wantedAtMs?: number): void {
    if (this.#maxBytes <= 0) return;
    let run = this.#runs.get(batch.repository);
    const wasWantedAtMs = run?.wantedAtMs ?? Number.NEGATIVE_INFINITY;
    if (run !== undefined) {
      this.#runs.delete(batch.repository);
      if (batch.fromSequence > run.first + run.texts.length) {
        // A gap (a broadcast was missed): the window restarts at this batch.
        this.#bytes -= run.bytes;
        run = undefined;
      }
    }
    run ??= { first: batch.fromSequence, texts: [], bytes: 0, wantedAtMs: wasWantedAtMs };
    if (wantedAtMs !== undefined) run.wantedAtMs = wantedAtMs;
    this.#runs.set(batch.repository, run);
    const { events } = batch;
    for (let i = 0; i < events.length; i++) {
      if ((events[i] as ServerEvent).serverSequence !== run.first + run.texts.length) continue; // already held
      const json = eventsJson[i] as string;
      run.texts.push(json);
      const bytes = json.length + ENTRY_OVERHEAD_BYTES;
      run.bytes += bytes;
      this.#bytes += bytes;
    }
    this.#evict();
  }

  /**
   * Whether the repository has a window and a commit of it was needed here within `lingerMs` of `nowMs`.
   * Its sessions may be reconnecting (a gateway dropped, a network changed): their catch-ups come here
   * soon, and their cursors are in that window as long as it stays contiguous.
   */
  lingers(repository: string, nowMs: number): boolean {
    const run = this.#runs.get(repository);
    return run !== undefined && nowMs - run.wantedAtMs < this.#lingerMs;
  }

  /** A commit of `repository` was not remembered: its window would be stale, so it goes. */
  skipped(repository: string): void {
    const run = this.#runs.get(repository);
    if (run === undefined) return;
    this.#runs.delete(repository);
    this.#bytes -= run.bytes;
  }

  /** Drops every window but those of `kept`: broadcasts of the others may have been missed. */
  forget(kept: ReadonlySet<string> = new Set()): void {
    for (const [repository, run] of this.#runs) {
      if (kept.has(repository)) continue;
      this.#runs.delete(repository);
      this.#bytes -= run.bytes;
    }
  }

  async readAfter(repository: string, afterSequence: number, limit: number): Promise<StoredEvent[]> {
    await this.#untilLive(repository);
    const held = this.#heldAfter(repository, afterSequence);
    if (held === undefined) return this.#store.readAfter(repository, afterSequence, limit);
    return storedEvents(held, 0, limit);
  }

  async *scanAfter(
    repository: string,
    afterSequence: number,
    pageSize: number,
  ): AsyncGenerator<StoredEvent[]> {
    await this.#untilLive(repository);
    const held = this.#heldAfter(repository, afterSequence);
    if (held === undefined) {
      yield* this.#store.scanAfter(repository, afterSequence, pageSize);
      return;
    }
    for (let i = 0; i < held.texts.length; i += pageSize) yield storedEvents(held, i, i + pageSize);
  }

  async head(repository: string): Promise<number> {
    await this.#untilLive(repository);
    return this.#store.head(repository);
  }

  findByEventId(repository: string, eventId: string): Promise<StoredEvent | undefined> {
    return this.#store.findByEventId(repository, eventId);
  }

  latestByDataId(repository: string, dataId: string): Promise<StoredEvent | undefined> {
    return this.#store.latestByDataId(repository, dataId);
  }

  scanLatestByDataId(
    repository: string,
    atSequence: number,
    options: { afterDataId?: string | undefined; pageSize: number },
  ): AsyncIterable<EntityEvent[]> {
    return this.#store.scanLatestByDataId(repository, atSequence, options);
  }

  repositories(): Promise<string[]> {
    return this.#store.repositories();
  }

  ping(): Promise<boolean> {
    return this.#store.ping();
  }

  /**
   * The held events after `afterSequence` (a snapshot), when the window starts at or before
   * `afterSequence + 1` and does not end before `afterSequence`; otherwise undefined (ask the store).
   */
  #heldAfter(repository: string, afterSequence: number): Held | undefined {
    const run = this.#runs.get(repository);
    if (run === undefined || run.texts.length === 0) return undefined;
    const offset = afterSequence + 1 - run.first;
    if (offset < 0 || offset > run.texts.length) return undefined;
    return { first: afterSequence + 1, texts: run.texts.slice(offset) };
  }

  #evict(): void {
    for (const [repository, run] of this.#runs) {
      if (this.#bytes <= this.#maxBytes) return;
      let drop = 0;
      let freed = 0;
      while (drop < run.texts.length && this.#bytes - freed > this.#maxBytes) {
        freed += (run.texts[drop] as string).length + ENTRY_OVERHEAD_BYTES;
        drop += 1;
      }
      if (drop === run.texts.length) {
        this.#runs.delete(repository);
      } else {
        run.texts.splice(0, drop);
        run.first += drop;
        run.bytes -= freed;
      }
      this.#bytes -= freed;
    }
  }
}
