import type { Logger } from '@lfsync/runtime';

/**
 * Known faults of the nats-server 2.12 line that this service would meet, by patch release:
 * - before 2.12.7, a consumer reading a stream's newest message dropped the cache of its active block, so
 *   every log append re-read that block (up to 8 MB) while the persister keeps up: 40 µs of nats-server CPU
 *   per event in one hot repository (bench/results/2026-11-30-hot-nats.md; nats-io/nats-server#8009);
 * - 2.12.7 to 2.12.9 could leave a stale first block in `index.db` for streams keeping one message per
 *   subject — the KV buckets of the event-id index and the persister's lease — and after a restart not find
 *   some of their entries (nats-io/nats-server#8254, fixed in 2.12.10).
 * Tests and the bench run 2.12.15.
 */
export function natsServerFault(serverVersion: string | undefined): string | undefined {
  const [major, minor, patch] = (serverVersion ?? '').split('.').map((part) => Number.parseInt(part, 10));
  if (major !== 2 || minor !== 12 || patch === undefined || Number.isNaN(patch)) return undefined;
  if (patch < 7) return 'this nats-server re-reads the log block on every append: use 2.12.15';
  if (patch < 10) return 'this nats-server may not find KV entries after a restart: use 2.12.15';
  return undefined;
}

export function warnOfNatsServerFaults(serverVersion: string | undefined, log: Logger): void {
  const fault = natsServerFault(serverVersion);
  if (fault !== undefined) log.warn({ natsServer: serverVersion }, fault);
}
