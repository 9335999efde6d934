/** One delivered log message (a `SequencedBatch`'s JSON), whatever carries it. */
export interface LogDelivery {
  readonly data: Uint8Array;
  /** Done with it: never deliver again. */
  ack(): void;
  /** Deliver again after `delayMs`. Does nothing once acknowledged or rejected. */
  retryLater(delayMs: number): void;
  /** Never deliver again (poison message). */
  reject(): void;
  /** Still working on it: postpone redelivery. */
  working(): void;
}

/**
 * The sequenced log as the persister consumes it (JetStream durable pull consumer, LMDB log cursor): in
 * log order, at least once; what is not acknowledged before a stop or crash is delivered again.
 */
export interface LogFeed {
  /** Up to `max` deliveries, waiting until there is at least one; `[]` once closed. */
  next(max: number): Promise<LogDelivery[]>;
  /** Makes the acknowledgements so far durable where the feed keeps them itself (a stored cursor). */
  checkpoint(): Promise<void>;
  /** Stops delivering: a waiting `next` resolves with `[]`. */
  close(): Promise<void>;
}
