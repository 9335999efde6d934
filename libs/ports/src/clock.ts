/** Cancels a scheduled callback; calling it twice, or after the callback ran, does nothing. */
export type Cancel = () => void;

/** Time and timers, injectable so that unit tests move time by hand instead of sleeping. */
export interface Clock {
  now(): number;
  schedule(delayMs: number, callback: () => void): Cancel;
  /** Resolves after `delayMs` (a `schedule` that can be awaited). */
  sleep(delayMs: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    handle.unref?.();
    return () => clearTimeout(handle);
  },
  sleep: (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)),
};
