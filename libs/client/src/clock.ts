/** Cancels a scheduled callback; calling it twice, or after the callback ran, does nothing. */
export type Cancel = () => void;

/** Time and timers, injectable so that tests drive backoff, heartbeats and ack timeouts by hand. */
export interface Clock {
  now(): number;
  schedule(delayMs: number, callback: () => void): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    return () => clearTimeout(handle);
  },
};
