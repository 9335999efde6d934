/**
 * Where the store's writes go. FerretDB on SQLite runs one write transaction at a time, and a write that
 * finds another under way waits in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries: a
 * persister's group write that met a background chunk merge often waited longer than both took. So there
 * the store sends its writes one at a time: the persister's (`urgent`) first, then the merges'
 * (`background`), and last what can wait for a quiet moment (`idle`: only once the lane has been free for
 * `idleMs`). MongoDB runs writes side by side: there every write goes at once.
 */
export interface WriteLane {
  /**
   * `priority` may be a function: it is asked again while the write waits, so an idle write can be moved up
   * (merged parts piling up).
   */
  run<T>(priority: WritePriority | (() => WritePriority), write: () => Promise<T>): Promise<T>;
  /** The writes of one step: one after another in a serial lane (as one turn), side by side otherwise. */
  all<T extends readonly unknown[]>(writes: { [K in keyof T]: () => Promise<T[K]> }): Promise<T>;
}

export type WritePriority = 'urgent' | 'background' | 'idle';

export const parallelLane: WriteLane = {
  run: (_, write) => write(),
  all: (writes) => Promise.all(writes.map((write) => write())) as never,
};

const PRIORITIES: readonly WritePriority[] = ['urgent', 'background', 'idle'];

interface Waiter {
  ask: () => WritePriority;
  wake: (as: WritePriority) => void;
}

/** Long enough that a persister writing group after group never leaves the lane this long. */
const IDLE_MS = 20;

export class SerialLane implements WriteLane {
  readonly #idleMs: number;
  #busy = false;
  readonly #waiting: Record<WritePriority, Waiter[]> = { urgent: [], background: [], idle: [] };
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(options: { idleMs?: number } = {}) {
    this.#idleMs = options.idleMs ?? IDLE_MS;
  }

  async run<T>(priority: WritePriority | (() => WritePriority), write: () => Promise<T>): Promise<T> {
    const ask = typeof priority === 'function' ? priority : () => priority;
    const now = ask();
    let ran: WritePriority = now;
    if (this.#busy || now === 'idle') {
      await new Promise<void>((resolve) => {
        this.#waiting[now].push({ ask, wake: (as) => ((ran = as), resolve()) });
        if (!this.#busy) this.#armIdle();
      });
    } else this.#busy = true;
    try {
      return await write();
    } finally {
      this.#handOver(ran);
    }
  }

  all<T extends readonly unknown[]>(writes: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
    return this.run('urgent', async () => {
      const results: unknown[] = [];
      for (const write of writes as ReadonlyArray<() => Promise<unknown>>) results.push(await write());
      return results as unknown as T;
    });
  }

  #handOver(finished: WritePriority): void {
    this.#promoteIdle();
    // The lane stays busy when handed over. Once a quiet moment has begun, idle writes follow each other.
    for (const priority of finished === 'idle' ? PRIORITIES : PRIORITIES.slice(0, 2)) {
      const next = this.#waiting[priority].shift();
      if (next !== undefined) return next.wake(priority);
    }
    this.#busy = false;
    this.#armIdle();
  }

  /** Idle writes whose priority has risen meanwhile join the end of their new line. */
  #promoteIdle(): void {
    const idle = this.#waiting.idle;
    for (let i = 0; i < idle.length;) {
      const waiter = idle[i] as Waiter;
      const now = waiter.ask();
      if (now === 'idle') i++;
      else this.#waiting[now].push(...idle.splice(i, 1));
    }
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    if (this.#waiting.idle.length === 0) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#busy) return; // armed again when the write that took the lane hands it over
      const next = this.#waiting.idle.shift();
      if (next === undefined) return;
      this.#busy = true;
      next.wake('idle');
    }, this.#idleMs);
  }
}
