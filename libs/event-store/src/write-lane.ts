/**
 * Where the store's writes go. FerretDB on SQLite runs one write transaction at a time, and a write that
 * finds another under way waits in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries: a
 * persister's group write that met a background chunk merge often waited longer than both took. So there
 * the store sends its writes one at a time, the persister's (`urgent`) ahead of the merges'. MongoDB runs
 * writes side by side: there every write goes at once.
 */
export interface WriteLane {
  run<T>(priority: 'urgent' | 'background', write: () => Promise<T>): Promise<T>;
  /** The writes of one step: one after another in a serial lane (as one turn), side by side otherwise. */
  all<T extends readonly unknown[]>(writes: { [K in keyof T]: () => Promise<T[K]> }): Promise<T>;
}

export const parallelLane: WriteLane = {
  run: (_, write) => write(),
  all: (writes) => Promise.all(writes.map((write) => write())) as never,
};

export class SerialLane implements WriteLane {
  #busy = false;
  readonly #waiting = { urgent: [] as Array<() => void>, background: [] as Array<() => void> };

  async run<T>(priority: 'urgent' | 'background', write: () => Promise<T>): Promise<T> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting[priority].push(resolve));
    else this.#busy = true;
    try {
      return await write();
    } finally {
      // The lane stays busy when handed over.
      const next = this.#waiting.urgent.shift() ?? this.#waiting.background.shift();
      if (next === undefined) this.#busy = false;
      else next();
    }
  }

  all<T extends readonly unknown[]>(writes: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
    return this.run('urgent', async () => {
      const results: unknown[] = [];
      for (const write of writes as ReadonlyArray<() => Promise<unknown>>) results.push(await write());
      return results as unknown as T;
    });
  }
}
