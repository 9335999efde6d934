import type { SequencedBatch } from '@lfsync/contracts';

/** Where a repository's log ends: its last `serverSequence`, and the log position that holds it. */
export interface LogHead {
  sequence: number;
  /** Opaque version of the repository's log (JetStream: stream sequence of its last message; 0 = empty). */
  version: number;
}

export type AppendResult =
  | { kind: 'appended'; version: number }
  /** The log moved on since `expectedVersion` (another sequencer appended). */
  | { kind: 'conflict' }
  /** The very same append (same id) was stored before; `batch` is what it stored. */
  | { kind: 'duplicate'; version: number; batch: SequencedBatch };

/** The ordered, durable, per-repository log the sequencer appends to (JetStream in production). */
export interface SequenceLog {
  /** The head, and the last batch of the log (to re-index it after a sequencer crash). */
  head(repository: string): Promise<{ head: LogHead; lastBatch: SequencedBatch | undefined }>;
  /** Appends only if the repository's log is still at `expectedVersion` (optimistic concurrency). */
  append(batch: SequencedBatch, expectedVersion: number, appendId: string): Promise<AppendResult>;
}
