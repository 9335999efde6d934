import type { ChaosOptions } from './chaos-run.ts';
import { chooseClusterNetwork } from './partition-support.ts';

/** The short crash test (about 25 s of faults): in `npm test` and as `npm run chaos:short`. */
export function shortChaosOptions(): ChaosOptions {
  return {
    durationMs: 25_000,
    clients: 6,
    repositories: 3,
    faultEveryMs: 1_200,
    pushEveryMs: 100,
    seed: Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000),
  };
}

/**
 * The short crash test on a 3-node NATS cluster (20 s of faults; about 80 s in all): nodes killed, stalled
 * and partitioned (where network namespaces work), leaders included, next to the other faults, with 2
 * sequencers and 2 persisters. In `npm test` and as `npm run chaos:cluster-short`.
 */
export function clusterShortChaosOptions(log: (line: string) => void): ChaosOptions {
  return {
    durationMs: 20_000,
    clients: 6,
    repositories: 3,
    faultEveryMs: 1_000,
    pushEveryMs: 100,
    seed: Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000),
    natsCluster: { size: 3, network: chooseClusterNetwork(log) },
    sequencers: 2,
    persisters: 2,
  };
}
