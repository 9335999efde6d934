import type { JetStreamManager } from '@nats-io/jetstream';

const NANOS_PER_MS = 1_000_000;

/** Sets an existing stream's `max_age` (0 = keep forever): a bucket created before keeps its first config. */
export async function ensureMaxAge(jsm: JetStreamManager, stream: string, maxAgeMs: number): Promise<void> {
  const current = (await jsm.streams.info(stream)).config;
  const maxAge = maxAgeMs * NANOS_PER_MS;
  if (current.max_age !== maxAge) await jsm.streams.update(stream, { ...current, max_age: maxAge });
}
