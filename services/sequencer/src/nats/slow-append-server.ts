import type { Logger } from '@lfsync/runtime';

/**
 * nats-server 2.12 before 2.12.7 drops the cache of a stream's active block whenever a consumer reads its
 * newest message, so every log append re-reads that block (up to 8 MB) while the persister keeps up:
 * measured 40 µs of nats-server CPU per event in one hot repository (bench/results/2026-11-30-hot-nats.md,
 * fixed by nats-io/nats-server#8009). Nothing breaks; it is worth a warning at start.
 */
export function appendsReloadBlocksOn(serverVersion: string | undefined): boolean {
  const [major, minor, patch] = (serverVersion ?? '').split('.').map((part) => Number.parseInt(part, 10));
  return major === 2 && minor === 12 && patch !== undefined && patch < 7;
}

export function warnOfSlowAppends(serverVersion: string | undefined, log: Logger): void {
  if (appendsReloadBlocksOn(serverVersion))
    log.warn(
      { natsServer: serverVersion },
      'this nats-server re-reads the log block on every append while the persister keeps up: use 2.12.7 or later',
    );
}
