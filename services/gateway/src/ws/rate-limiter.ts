import { systemClock, type Clock } from '@lfsync/ports';

/** Token bucket: `ratePerSec` sustained, `burst` at once. */
export class RateLimiter {
  readonly #ratePerSec: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(ratePerSec: number, burst: number, clock: Clock = systemClock) {
    this.#ratePerSec = ratePerSec;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Takes one token; returns 0 when allowed, else the ms until one is available. */
  take(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#ratePerSec);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.#ratePerSec) * 1000);
  }
}
