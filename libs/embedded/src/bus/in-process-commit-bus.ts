import { decodeSequencedBatch, type SequencedBatch } from '@lfsync/contracts';
import type { CommitPublisher } from '@lfsync/ports';
import type { Logger } from 'pino';

/**
 * The commit broadcast within one process: what the persister publishes reaches every subscriber (the
 * gateway) as a validated batch, on a later microtask — as with NATS, a subscriber never runs inside the
 * persister's write loop, and one that throws harms nobody else.
 */
export class InProcessCommitBus implements CommitPublisher {
  readonly #logger: Logger;
  readonly #subscribers = new Set<(batch: SequencedBatch) => void>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  publish(repository: string, data: Uint8Array): void {
    const decoded = decodeSequencedBatch(data);
    if (!decoded.ok || decoded.batch.repository !== repository) {
      this.#logger.error({ repository }, 'invalid commit message ignored');
      return;
    }
    const batch = decoded.batch;
    for (const subscriber of this.#subscribers) {
      queueMicrotask(() => {
        try {
          subscriber(batch);
        } catch (err) {
          this.#logger.error({ err, repository }, 'commit subscriber failed');
        }
      });
    }
  }

  /** Every committed batch from now on; returns the unsubscribe function. */
  subscribe(onCommit: (batch: SequencedBatch) => void): () => void {
    const subscriber = (batch: SequencedBatch) => onCommit(batch);
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }
}
