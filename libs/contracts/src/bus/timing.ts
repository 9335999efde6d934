/**
 * How long a sequencing request may take end to end: the gateway stops waiting for the reply after this
 * (or its ACK_TIMEOUT_MS, if shorter), so a sequencer answers "retry" to a request that waited longer
 * instead of appending events nobody will acknowledge.
 */
export const SEQUENCING_DEADLINE_MS = 10_000;

/** The gateway's wait for a sequencer reply. */
export function sequencingTimeoutMs(ackTimeoutMs: number): number {
  return Math.min(ackTimeoutMs, SEQUENCING_DEADLINE_MS);
}

/**
 * How long the log remembers an append id (JetStream's `Nats-Msg-Id` duplicate window); the event-id
 * index covers everything older.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
