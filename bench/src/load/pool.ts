import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { Commands, Op, WorkerRequest, WorkerResponse } from './messages.ts';

const WORKER_SCRIPT = join(import.meta.dirname, 'worker.ts');

/** One load-generator child process and a typed request/response channel to it. */
export class GeneratorWorker {
  readonly index: number;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void; op: Op }>();
  #nextId = 1;
  #exited = false;

  constructor(index: number, nice: number) {
    this.index = index;
    this.#child = fork(WORKER_SCRIPT, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Lower priority than the servers: on a shared machine they get the CPU first, as if the clients ran elsewhere.
    if (nice !== 0 && this.#child.pid !== undefined) setPriority(this.#child.pid, nice);
    this.#child.on('message', (message) => {
      const response = message as WorkerResponse;
      const pending = this.#pending.get(response.id);
      if (pending === undefined) return;
      this.#pending.delete(response.id);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new Error(`generator ${index} ${pending.op} failed: ${response.error}`));
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = true;
      for (const pending of this.#pending.values())
        pending.reject(new Error(`generator ${index} exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<O extends Op>(op: O, params: Commands[O]['params']): Promise<Commands[O]['result']> {
    if (this.#exited) return Promise.reject(new Error(`generator ${this.index} has exited`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, op });
      const request: WorkerRequest<O> = { id, op, params };
      this.#child.send(request);
    });
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Several generator processes; work is split over them so no single event loop limits the load. */
export class WorkerPool {
  readonly workers: readonly GeneratorWorker[];

  constructor(count: number, nice = 0) {
    this.workers = Array.from({ length: count }, (_, i) => new GeneratorWorker(i, nice));
  }

  get size(): number {
    return this.workers.length;
  }

  pids(): number[] {
    return this.workers.map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  worker(index: number): GeneratorWorker {
    return this.workers[index % this.workers.length] as GeneratorWorker;
  }

  /**
   * Splits `items` round-robin over the workers (all, or those from index `firstWorker` on, leaving the
   * others free, e.g. for a publisher whose timing should not suffer from receiving) and calls `op` on each
   * with its share.
   */
  async spread<T, O extends Op>(
    items: readonly T[],
    op: O,
    params: (share: T[], worker: GeneratorWorker) => Commands[O]['params'],
    firstWorker = 0,
  ): Promise<Array<Commands[O]['result']>> {
    const workers = this.workers.length > firstWorker ? this.workers.slice(firstWorker) : this.workers;
    const shares = workers.map(() => [] as T[]);
    items.forEach((item, i) => shares[i % shares.length]?.push(item));
    const calls: Array<Promise<Commands[O]['result']>> = [];
    workers.forEach((worker, i) => {
      const share = shares[i] as T[];
      if (share.length > 0) calls.push(worker.call(op, params(share, worker)));
    });
    return Promise.all(calls);
  }

  /** Calls `op` on every worker (e.g. report/close of a group that spans them). */
  all<O extends Op>(op: O, params: Commands[O]['params']): Promise<Array<Commands[O]['result']>> {
    return Promise.all(this.workers.map((w) => w.call(op, params)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
