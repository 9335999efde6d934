import { decodeSequencedBatch, type BusNames, type SequencedBatch } from '@lfsync/contracts';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { LogReader } from '../domain/log-persister.ts';
import { LOG_PAGE_SIZE, readLogPage } from './log-pages.ts';

const PAGE_SIZE = 256;
/** Bounds the cost of one look-up (64k log messages). */
const MAX_PAGES = 256;

/**
 * Reads a repository's batches straight from the log stream (direct batch get, NATS 2.11+), from the
 * persister consumer's ack floor on: everything at or below it is acknowledged, hence stored.
 */
export class JetStreamLogReader implements LogReader {
  readonly #jsm: JetStreamManager;
  readonly #names: BusNames;

  constructor(jsm: JetStreamManager, names: BusNames) {
    this.#jsm = jsm;
    this.#names = names;
  }

  async batchesAfter(repository: string, afterSequence: number, limit: number): Promise<SequencedBatch[]> {
    const consumer = await this.#jsm.consumers.info(this.#names.logStream, this.#names.persisterConsumer);
    const batches: SequencedBatch[] = [];
    // Between the ack floor and the first batch not yet stored may lie many stored ones: page past them.
    let from = consumer.ack_floor.stream_seq + 1;
    for (let page = 0; page < MAX_PAGES && batches.length < limit; page++) {
      const messages = await this.#jsm.direct.getBatch(this.#names.logStream, {
        seq: from,
        next_by_subj: this.#names.logSubject(repository),
        batch: PAGE_SIZE,
      });
      let read = 0;
      for await (const message of messages) {
        read += 1;
        from = message.seq + 1;
        const decoded = decodeSequencedBatch(message.data);
        if (decoded.ok && decoded.batch.toSequence > afterSequence && batches.length < limit)
          batches.push(decoded.batch);
      }
      if (read < PAGE_SIZE) break;
    }
    return batches;
  }

  /** The repository's first batch in the whole log (trimmed or not) past `afterSequence`. */
  async firstBatchAfter(repository: string, afterSequence: number): Promise<SequencedBatch | undefined> {
    const subject = this.#names.logSubject(repository);
    let from = 1;
    for (let page = 0; page < MAX_PAGES; page++) {
      const messages = await readLogPage(this.#jsm, this.#names.logStream, subject, from, true);
      for (const message of messages) {
        from = message.seq + 1;
        const decoded = decodeSequencedBatch(message.data);
        if (decoded.ok && decoded.batch.toSequence > afterSequence) return decoded.batch;
      }
      if (messages.length < LOG_PAGE_SIZE) return undefined;
    }
    return undefined;
  }
}
