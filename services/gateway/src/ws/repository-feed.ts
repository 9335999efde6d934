import type { SequencedBatch } from '@lfsync/contracts';
import type { EventReader } from '@lfsync/ports';
import { eventsFrame, type Frame } from './frames.ts';
import { sendSnapshot } from './snapshot-sender.ts';

export interface FeedOutput {
  /** Sends a frame; false when the session is gone or too far behind. */
  send(frame: Frame): boolean;
  /** Resolves true when the socket's send buffer has room again; false when the session is gone. */
  writable(): Promise<boolean>;
}

/**
 * What one session has received of one repository. Live batches and catch-up reads are serialised here,
 * so the session gets every event once and in order (I5): older ones are dropped, a gap is filled from the
 * store before anything after it is sent, and live batches arriving during a catch-up wait for it.
 */
export class RepositoryFeed {
  readonly #repository: string;
  readonly #store: Pick<EventReader, 'scanAfter' | 'head' | 'scanLatestByDataId'>;
  readonly #output: FeedOutput;
  readonly #pageSize: number;
  /** Highest sequence sent; undefined until the session asked for events or got its first broadcast. */
  #delivered: number | undefined;
  /** Undefined until the first task: a feed that only ever forwards live batches allocates no promise. */
  #tail: Promise<void> | undefined;
  /** Tasks waiting or running in `#tail`. */
  #queued = 0;

  constructor(
    repository: string,
    store: Pick<EventReader, 'scanAfter' | 'head' | 'scanLatestByDataId'>,
    output: FeedOutput,
    pageSize: number,
  ) {
    this.#repository = repository;
    this.#store = store;
    this.#output = output;
    this.#pageSize = pageSize;
  }

  /**
   * A committed batch; `frame` is its pre-built `events` frame, sent as is when nothing must be trimmed.
   * Returns a promise only when the batch had to wait (a catch-up or gap fill is running or needed): the
   * common case, the next batch in line on an idle feed, is sent at once without allocating one.
   */
  live(batch: SequencedBatch, frame: Frame): Promise<void> | undefined {
    if (this.#queued === 0) {
      const delivered = this.#delivered;
      if (delivered === undefined || batch.fromSequence === delivered + 1) {
        this.#delivered = batch.toSequence;
        this.#output.send(frame);
        return undefined;
      }
      if (batch.toSequence <= delivered) return undefined;
    }
    return this.#enqueue(async () => {
      const delivered = this.#delivered;
      if (delivered === undefined || batch.fromSequence === delivered + 1) {
        this.#delivered = batch.toSequence;
        this.#output.send(frame);
      } else if (batch.toSequence <= delivered) {
        return;
      } else if (batch.fromSequence <= delivered) {
        const fresh = batch.events.filter((e) => e.serverSequence > delivered);
        this.#delivered = batch.toSequence;
        this.#output.send(
          eventsFrame(
            this.#repository,
            fresh.map((e) => JSON.stringify(e)),
          ),
        );
      } else {
        // A broadcast was missed: read what lies between from the store (it is committed, so readable).
        await this.#readFromStore(delivered, batch.toSequence);
      }
    });
  }

  /** Sends whatever was committed after the last event sent (broadcasts may have been missed meanwhile). */
  refresh(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#delivered !== undefined) await this.#readFromStore(this.#delivered, Infinity);
    });
  }

  /**
   * Sends every committed event after `afterSequence` (never truncated: `pageSize` only sizes the pages);
   * resolves with the last sequence sent.
   */
  catchUp(afterSequence: number, pageSize: number | undefined): Promise<number> {
    return this.#enqueue(async () => {
      this.#delivered = afterSequence;
      await this.#readFromStore(afterSequence, Infinity, pageSize);
      return this.#delivered;
    });
  }

  /**
   * A fresh start from the state: the snapshot at the head S (see `sendSnapshot`), then every event after S
   * as for a catch-up. Live batches wait meanwhile, so nothing is missed or sent twice; a declined snapshot
   * is the catch-up from 0. Resolves with the last sequence sent.
   */
  snapshot(requestedPageSize: number | undefined, minRatio: number | undefined): Promise<number> {
    return this.#enqueue(async () => {
      const pageSize = Math.min(requestedPageSize ?? this.#pageSize, this.#pageSize);
      const at = await this.#store.head(this.#repository);
      const request = { at, pageSize, minRatio };
      const outcome = await sendSnapshot(this.#store, this.#output, this.#repository, request);
      if (outcome === 'gone') return at;
      this.#delivered = outcome === 'sent' ? at : 0;
      await this.#readFromStore(this.#delivered, Infinity, pageSize);
      return this.#delivered;
    });
  }

  async #readFromStore(afterSequence: number, upTo: number, requestedPageSize?: number): Promise<void> {
    const pageSize = Math.min(requestedPageSize ?? this.#pageSize, this.#pageSize);
    for await (const stored of this.#store.scanAfter(this.#repository, afterSequence, pageSize)) {
      const page = stored.filter((e) => e.sequence <= upTo);
      if (page.length === 0) return;
      if (!(await this.#output.writable())) return;
      if (
        !this.#output.send(
          eventsFrame(
            this.#repository,
            page.map((e) => e.json),
          ),
        )
      )
        return;
      this.#delivered = (page[page.length - 1] as { sequence: number }).sequence;
      if (page.length < stored.length) return;
    }
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    this.#queued += 1;
    const run = (this.#tail ?? Promise.resolve()).then(task).finally(() => (this.#queued -= 1));
    this.#tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}
