import { AppError } from '@lfsync/contracts';
import type { Clock, EventWriter } from '@lfsync/ports';
import type { Logger } from 'pino';
import type { LogPosition } from './log-position.ts';

/**
 * Fails a database call that has not answered within `timeoutMs` (a stalled database — a FerretDB whose
 * pool is exhausted, a stopped process — never answers, and the driver's socket timeout may not fire while
 * a connection waits in its pool). The caller then treats it as any failed call: it retries with its
 * backoff and acknowledges nothing. The abandoned call may still complete later; every store write is
 * idempotent (`_id` per event and batch, heads only raised), so a retry that overlaps it stores nothing
 * twice.
 */
export class StoreDeadline {
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onTimeout: (operation: string) => void;

  constructor(options: {
    timeoutMs: number;
    clock: Clock;
    logger: Logger;
    /** Counts the timeouts (a metric). */
    onTimeout: (operation: string) => void;
  }) {
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#onTimeout = options.onTimeout;
  }

  run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.#clock.schedule(this.#timeoutMs, () => {
        this.#onTimeout(operation);
        this.#logger.error({ operation, timeoutMs: this.#timeoutMs }, 'database call timed out');
        reject(new AppError('UNAVAILABLE', `database ${operation} timed out after ${this.#timeoutMs} ms`));
      });
      call().then(
        (value) => {
          cancel();
          resolve(value);
        },
        (err: unknown) => {
          cancel();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** `store` with every call under this deadline. */
  writer(store: EventWriter): EventWriter {
    return {
      ...(store.headFollowsBatches === true ? { headFollowsBatches: true } : {}),
      insert: (batches, eventsJson) => this.run('insert', () => store.insert(batches, eventsJson)),
      insertBodies: (batches, eventsJson) =>
        this.run('insert', () => store.insertBodies(batches, eventsJson)),
      index: (batches) => this.run('index', () => store.index(batches)),
      advanceHeads: (heads, indexedThrough) =>
        this.run('advanceHeads', () => store.advanceHeads(heads, indexedThrough)),
      head: (repository) => this.run('head', () => store.head(repository)),
      resumeAt: (repository) => this.run('resumeAt', () => store.resumeAt(repository)),
    };
  }

  /** `position` with every call under this deadline. */
  position(position: LogPosition): LogPosition {
    return {
      save: (streamSequence) => this.run('savePosition', () => position.save(streamSequence)),
      load: () => this.run('loadPosition', () => position.load()),
    };
  }
}
