/**
 * Where the store's writes go. FerretDB on SQLite runs one write transaction at a time, and a write that
 * finds another under way waits in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries: a
 * persister's group write that met a background chunk merge often waited longer than both took. So there
 * the store sends its writes one at a time: the persister's (`urgent`) first, then the merges'
 * (`background`), and last what can wait for a quiet moment (`idle`: only once the lane has been free for
 * `idleMs`). MongoDB runs writes side by side: there every write goes at once.
 */
export interface WriteLane {
  /** Whether writes go one at a time (then a write holds up the others for as long as it takes). */
  readonly serial: boolean;
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
  serial: false,
  run: (_, write) => write(),
  all: (writes) => Promise.all(writes.map((write) => write())) as never,
};

interface Waiter {
  ask: () => WritePriority;
  wake: (as: WritePriority) => void;
}

/** Long enough that a persister writing group after group never leaves the lane this long. */
const IDLE_MS = 20;
/** Urgent turns in a row after which a waiting background write goes first (several groups in flight). */
const URGENT_TURNS_BEFORE_BACKGROUND = 8;

export class SerialLane implements WriteLane {
  readonly serial = true;
  readonly #idleMs: number;
  #busy = false;
  /** Idle writes are running: the next one need not wait for another quiet moment. */
  #quiet = false;
  #urgentTurns = 0;
  readonly #waiting: Record<WritePriority, Waiter[]> = { urgent: [], background: [], idle: [] };
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(options: { idleMs?: number } = {}) {
    this.#idleMs = options.idleMs ?? IDLE_MS;
  }

  async run<T>(priority: WritePriority | (() => WritePriority), write: () => Promise<T>): Promise<T> {
    const ask = typeof priority === 'function' ? priority : () => priority;
    const now = ask();
    let ran: WritePriority = now;
    if (this.#busy || (now === 'idle' && !this.#quiet)) {
      await new Promise<void>((resolve) => {
        this.#waiting[now].push({ ask, wake: (as) => ((ran = as), resolve()) });
        if (!this.#busy) this.#armIdle();
      });
    } else this.#take(now);
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

  #take(priority: WritePriority): void {
    this.#busy = true;
    this.#quiet = priority === 'idle';
    this.#urgentTurns = priority === 'urgent' ? this.#urgentTurns + 1 : 0;
  }

  #handOver(finished: WritePriority): void {
    this.#promoteIdle();
    const next = this.#next(finished);
    if (next !== undefined) {
      this.#take(next.priority);
      return next.waiter.wake(next.priority);
    }
    this.#busy = false;
    this.#quiet = finished === 'idle';
    this.#armIdle();
  }

  /** Urgent first (but not for ever), then background; idle ones only while a quiet moment lasts. */
  #next(finished: WritePriority): { priority: WritePriority; waiter: Waiter } | undefined {
    const order: WritePriority[] =
      this.#urgentTurns >= URGENT_TURNS_BEFORE_BACKGROUND
        ? ['background', 'urgent']
        : ['urgent', 'background'];
    if (finished === 'idle') order.push('idle');
    for (const priority of order) {
      const waiter = this.#waiting[priority].shift();
      if (waiter !== undefined) return { priority, waiter };
    }
    return undefined;
  }

  /** Idle writes whose priority has risen meanwhile join the end of their new line. */
  #promoteIdle(): void {
    const idle = this.#waiting.idle;
    for (let i = 0; i < idle.length;) {
      const now = (idle[i] as Waiter).ask();
      if (now === 'idle') i++;
      else this.#waiting[now].push(...idle.splice(i, 1));
    }
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    if (this.#waiting.idle.length === 0) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#busy) return; // armed again when the write that took the lane hands it over
      const waiter = this.#waiting.idle.shift();
      if (waiter === undefined) return;
      this.#take('idle');
      waiter.wake('idle');
    }, this.#idleMs);
  }
}
