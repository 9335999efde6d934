/**
 * How long the sequencer waits for a JetStream reply (the client's default is 5 s). When a stream's leader
 * dies, requests sent before the new one is elected (a few seconds) are never answered; the repository's
 * queue waits behind each of them, so a shorter wait brings pushes back sooner after a failover. A retry
 * is safe: the append carries its Nats-Msg-Id and its expected last sequence.
 */
export const JETSTREAM_TIMEOUT_MS = 2_000;
