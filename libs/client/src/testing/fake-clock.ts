import type { Cancel, Clock } from '../clock.ts';

interface Timer {
  readonly atMs: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told; timers run in time order as it passes them. The one test clock of the
 * repository: `@lfsync/testkit` hands it to the services' tests too (it fits their `Clock`, `sleep` included).
 */
export class FakeClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    const timer: Timer = { atMs: this.#nowMs + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Resolves when the clock has been advanced by `delayMs`. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  /** Timers not yet run, with their delays from now. */
  get pendingDelaysMs(): number[] {
    return this.#timers.map((t) => t.atMs - this.#nowMs);
  }

  /**
   * Moves time forward, running every timer due on the way (including ones scheduled meanwhile), and lets
   * the promise jobs each timer starts run before the next one.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    for (;;) {
      await flushPromises();
      const next = [...this.#timers].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (next === undefined || next.atMs > targetMs) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowMs = next.atMs;
      next.callback();
    }
    this.#nowMs = targetMs;
    await flushPromises();
  }
}

async function flushPromises(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
