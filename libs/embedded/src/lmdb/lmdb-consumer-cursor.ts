import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

/**
 * A durable consumer's position in the log: every position up to `floor` is done (acknowledged or
 * rejected). Positions done out of order wait in memory until the floor reaches them, and only the floor
 * is stored, so after a restart everything above it is delivered again (at least once, in order).
 */
export class LmdbConsumerCursor {
  readonly #env: LmdbEnvironment;
  readonly #cursors: Database<number, string>;
  readonly #name: string;
  readonly #done = new Set<number>();
  #floor: number;
  #savedFloor: number;

  constructor(env: LmdbEnvironment, name: string) {
    this.#env = env;
    this.#cursors = env.database('consumer.cursors');
    this.#name = name;
    this.#floor = this.#cursors.get(name) ?? 0;
    this.#savedFloor = this.#floor;
  }

  /** Every position up to this one is done. */
  get floor(): number {
    return this.#floor;
  }

  done(position: number): void {
    if (position <= this.#floor) return;
    this.#done.add(position);
    while (this.#done.delete(this.#floor + 1)) this.#floor += 1;
  }

  /** Stores the floor if it moved. Losing this write only means redelivering what was done since. */
  async save(): Promise<void> {
    const floor = this.#floor;
    if (floor === this.#savedFloor) return;
    await this.#env.write(() => this.#cursors.put(this.#name, floor));
    this.#savedFloor = Math.max(this.#savedFloor, floor);
  }
}
