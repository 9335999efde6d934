import type { ChaosOptions } from './chaos-run.ts';

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
