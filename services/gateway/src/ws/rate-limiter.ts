/** Token bucket: `ratePerSec` sustained, `burst` at once. The clock is injectable for tests. */
export class RateLimiter {
  readonly #ratePerSec: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(ratePerSec: number, burst: number, now: () => number = Date.now) {
    this.#ratePerSec = ratePerSec;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token; returns 0 when allowed, else the ms until one is available. */
  take(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#ratePerSec);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.#ratePerSec) * 1000);
  }
}
