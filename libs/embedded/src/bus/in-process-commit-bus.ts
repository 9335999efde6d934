import { sequencedBatchSchema, type SequencedBatch } from '@lfsync/contracts';
import type { CommitPublisher } from '@lfsync/persister';
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
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(data).toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = sequencedBatchSchema.safeParse(json);
    if (!parsed.success || parsed.data.repository !== repository) {
      this.#logger.error({ repository }, 'invalid commit message ignored');
      return;
    }
    const batch = parsed.data;
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
