import type { ServiceStats } from '@lfsync/contracts';
import type { StatsBus } from '@lfsync/ports';
import type { Logger } from 'pino';
import { deliverLater } from './deliver-later.ts';

/** Stats reports within one process (the embedded mode): each listener hears each report on a later microtask. */
export class InProcessStatsBus implements StatsBus {
  readonly #logger: Logger;
  readonly #listeners = new Set<(stats: ServiceStats) => void>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  publish(stats: ServiceStats): void {
    for (const listener of this.#listeners)
      deliverLater(this.#logger, 'stats listener failed', () => listener(stats));
  }

  subscribe(onStats: (stats: ServiceStats) => void): () => void {
    const listener = (stats: ServiceStats) => onStats(stats);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
