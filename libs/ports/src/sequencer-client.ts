import type { SequenceResult } from '@lfsync/contracts';

/** How the gateway asks for sequences: NATS request/reply, or in-process in the embedded mode. */
export interface SequencerClient {
  /**
   * The sequences of the events (new or original); throws AppError UNAVAILABLE when no sequencer answers.
   * `eventsJson`, when the caller has it, is a JSON text of each event (the pusher's own, or
   * `JSON.stringify` of it): a client may send it as is.
   */
  sequence(
    repository: string,
    events: readonly Record<string, unknown>[],
    eventsJson?: readonly string[],
  ): Promise<SequenceResult[]>;
}
