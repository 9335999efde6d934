import type { SequencedBatch } from '@lfsync/contracts';
import type { AppendResult, LogHead, SequenceLog, StoredSequences } from '@lfsync/ports';

/**
 * The log, with the store's head for a repository the log holds nothing of: the persister trims only
 * stored messages and keeps each repository's last one, so this is a repository the log lost (a stream
 * recreated) — or a new one, whose store head is 0. Version 0 makes the next append conditional on the
 * repository still having no log message: should one be appended meanwhile, the append conflicts and the
 * head is read again, so the store head (never past the log's) cannot make a sequence be given twice.
 */
export class StoreHeadSequenceLog implements SequenceLog {
  readonly #log: SequenceLog;
  readonly #store: Pick<StoredSequences, 'head'>;

  constructor(log: SequenceLog, store: Pick<StoredSequences, 'head'>) {
    this.#log = log;
    this.#store = store;
  }

  async head(repository: string): Promise<{ head: LogHead; lastBatch: SequencedBatch | undefined }> {
    const read = await this.#log.head(repository);
    if (read.head.version !== 0) return read;
    return { head: { sequence: await this.#store.head(repository), version: 0 }, lastBatch: undefined };
  }

  append(batch: SequencedBatch, expectedVersion: number, appendId: string): Promise<AppendResult> {
    return this.#log.append(batch, expectedVersion, appendId);
  }
}
