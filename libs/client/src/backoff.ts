export interface BackoffOptions {
  /** Ceiling of the first retry delay; doubles with every failed attempt. */
  readonly baseMs: number;
  /** Upper bound of every delay. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base · 2^attempt)).
 * Full jitter spreads a crowd of clients that lost the same gateway instead of having them return in waves.
 * `random` returns a number in [0, 1), like `Math.random`.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceilingMs = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceilingMs);
}
