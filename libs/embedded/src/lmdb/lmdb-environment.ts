import { mkdirSync } from 'node:fs';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';

/**
 * One LMDB environment (a directory) holding every embedded adapter's named databases. Writes go through
 * `write`, which resolves only once the transaction is flushed to disk: nothing built on it acknowledges
 * anything before it is durable.
 */
export class LmdbEnvironment {
  readonly path: string;
  readonly #root: RootDatabase;
  #open = true;

  private constructor(path: string, root: RootDatabase) {
    this.path = path;
    this.#root = root;
  }

  static open(path: string): LmdbEnvironment {
    mkdirSync(path, { recursive: true });
    return new LmdbEnvironment(path, open({ path, maxDbs: 32 }));
  }

  get isOpen(): boolean {
    return this.#open;
  }

  database<V, K extends Key = Key>(name: string): Database<V, K> {
    return this.#root.openDB<V, K>({ name });
  }

  /**
   * Runs `action` in one write transaction (reads inside it see the latest state, so check-then-write is
   * atomic) and resolves with its result once the transaction is durable. `action` must not throw after
   * it has written: a batched transaction is not rolled back.
   */
  async write<T>(action: () => T): Promise<T> {
    const result = await this.#root.transaction(action);
    await this.#root.flushed;
    return result;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#root.close();
  }
}
