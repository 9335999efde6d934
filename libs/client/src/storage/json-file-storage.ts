import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Snapshot } from './snapshot.ts';
import { storedStateSchema } from './stored-state-schema.ts';
import { EMPTY_STATE, type StorageChanges, type StoredState, type SyncStorage } from './sync-storage.ts';

const FILE_FORMAT = 1;
const fileSchema = z.object({ format: z.literal(FILE_FORMAT), state: storedStateSchema });

/** The file holds something this client cannot read; it is left untouched for a human to look at. */
export class StorageFileError extends Error {
  constructor(path: string, options: { cause: unknown }) {
    super(`cannot read sync state from ${path}`, options);
    this.name = 'StorageFileError';
  }
}

/**
 * Keeps the state in one JSON file (Node only). Every change rewrites the file atomically: a temporary file
 * beside it is written and fsynced, then renamed over it, so a crash leaves the old or the new state,
 * never a torn one. Fits Node tools, tests and benchmarks; a large state wants a real database.
 */
export class JsonFileStorage implements SyncStorage {
  readonly #path: string;
  #snapshot: Snapshot | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<StoredState> {
    const state = await this.#read();
    this.#snapshot = Snapshot.from(state);
    return structuredClone(state);
  }

  async apply(changes: StorageChanges): Promise<void> {
    this.#snapshot ??= Snapshot.from(await this.#read());
    this.#snapshot.apply(structuredClone(changes));
    await this.#write(JSON.stringify({ format: FILE_FORMAT, state: this.#snapshot.toState() }));
  }

  async #read(): Promise<StoredState> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      if (isNotFound(err)) return EMPTY_STATE;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new StorageFileError(this.#path, { cause: err });
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw new StorageFileError(this.#path, { cause: parsed.error });
    return parsed.data.state;
  }

  async #write(text: string): Promise<void> {
    const directory = dirname(this.#path);
    await mkdir(directory, { recursive: true });
    const temporary = `${this.#path}.${randomUUID()}.tmp`;
    try {
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, this.#path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
    await syncDirectory(directory);
  }
}

/** Makes the rename itself durable. Some platforms (Windows) cannot open a directory; there the rename is as durable as the OS makes it. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch {
    // fsync on a directory handle is unsupported on some file systems; the data file itself is already synced.
  } finally {
    await handle.close();
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}
