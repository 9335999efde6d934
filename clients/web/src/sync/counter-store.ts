import type { ConnectionState, Repository, SyncClient, Unsubscribe } from '@lfsync/client';
import type { z } from 'zod';
import { nextSessionCounter } from '../model/counter.ts';
import {
  counterLogRecordSchema,
  REPOSITORIES,
  sessionCounterRecordSchema,
  userRecordSchema,
  type CounterLogRecord,
  type SessionCounterRecord,
  type UserRecord,
} from '../model/records.ts';

/**
 * Every repository the app reads and writes: the SDK subscribes to each from its stored cursor and catches it
 * up before it reports `live`; the app receives nothing else.
 */
export const APP_REPOSITORIES: readonly string[] = Object.values(REPOSITORIES);

/** Where the app's sessions announce themselves (presence): everyone who uses the counter. */
export const PRESENCE_REPOSITORY = REPOSITORIES.counterLog;

type Data = Record<string, unknown>;

export interface CounterStoreOptions {
  readonly client: SyncClient;
  readonly username: string;
  readonly sessionId: string;
  /** Ids of `counter_log` entries; unique even for two clicks in one millisecond (the SDK's UUIDv7). */
  readonly newId: () => string;
  readonly now?: () => Date;
}

/**
 * A repository's records, parsed. The SDK hands out the same array until something changes, and the same entry
 * object for a record until that record changes, so each version of a record is parsed once: a click costs one
 * parse, not one per record of an ever-growing log.
 */
export class ParsedView<T> {
  readonly #repository: Repository<Data>;
  readonly #schema: z.ZodType<T>;
  readonly #parsedEntries = new WeakMap<object, T | null>();
  #source: readonly object[] | undefined;
  #parsed: T[] = [];

  constructor(repository: Repository<Data>, schema: z.ZodType<T>) {
    this.#repository = repository;
    this.#schema = schema;
  }

  current(): readonly T[] {
    const entries = this.#repository.all();
    if (entries === this.#source) return this.#parsed;
    const parsed: T[] = [];
    for (const entry of entries) {
      let record = this.#parsedEntries.get(entry);
      if (record === undefined) {
        const result = this.#schema.safeParse(entry.data);
        record = result.success ? result.data : null;
        this.#parsedEntries.set(entry, record);
      }
      if (record !== null) parsed.push(record);
    }
    this.#source = entries;
    this.#parsed = parsed;
    return parsed;
  }

  subscribe(listener: (records: readonly T[]) => void): Unsubscribe {
    return this.#repository.subscribe(() => listener(this.current()));
  }
}

/**
 * The counter app's data on top of the SDK: the signed-in user's record, this tab's session counter, the
 * counter log. Writes apply at once and never wait for the network.
 */
export class CounterStore {
  readonly username: string;
  readonly sessionId: string;
  readonly users: ParsedView<UserRecord>;
  readonly counters: ParsedView<SessionCounterRecord>;
  readonly logs: ParsedView<CounterLogRecord>;
  readonly #client: SyncClient;
  readonly #userRepository: Repository<Data>;
  readonly #counterRepository: Repository<Data>;
  readonly #logRepository: Repository<Data>;
  readonly #newId: () => string;
  readonly #now: () => Date;

  constructor(options: CounterStoreOptions) {
    this.#client = options.client;
    this.username = options.username;
    this.sessionId = options.sessionId;
    this.#newId = options.newId;
    this.#now = options.now ?? (() => new Date());
    this.#userRepository = options.client.repository<Data>(REPOSITORIES.user);
    this.#counterRepository = options.client.repository<Data>(REPOSITORIES.sessionCounter);
    this.#logRepository = options.client.repository<Data>(REPOSITORIES.counterLog);
    this.users = new ParsedView(this.#userRepository, userRecordSchema);
    this.counters = new ParsedView(this.#counterRepository, sessionCounterRecordSchema);
    this.logs = new ParsedView(this.#logRepository, counterLogRecordSchema);
  }

  /** The signed-in user's record, once it exists locally. */
  me(): UserRecord | undefined {
    const parsed = userRecordSchema.safeParse(this.#userRepository.get(this.username));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Creates the user record once the client is live and caught up, if the server has none: creating it
   * earlier (offline, before catch-up) would overwrite the avatar of a user who signed in elsewhere before.
   * Checks on every transition to `live`; returns a function that stops watching.
   */
  ensureUserWhenLive(): Unsubscribe {
    const check = (state: ConnectionState): void => {
      if (state.status !== 'live' || this.#userRepository.get(this.username) !== undefined) return;
      const now = this.#now().toISOString();
      void this.#userRepository.upsert(this.username, {
        id: this.username,
        username: this.username,
        avatar_url: '',
        created_at: now,
        updated_at: now,
      });
    };
    const stop = this.#client.onStateChange(check);
    check(this.#client.state);
    return stop;
  }

  /** One click: this tab's counter moves by `delta`, and the log gets an entry. Both show at once. */
  async change(delta: 1 | -1): Promise<void> {
    const now = this.#now().toISOString();
    const previous = sessionCounterRecordSchema.safeParse(this.#counterRepository.get(this.sessionId));
    const counter = nextSessionCounter(previous.success ? previous.data : undefined, {
      sessionId: this.sessionId,
      username: this.username,
      delta,
      now,
    });
    const id = this.#newId();
    const log: CounterLogRecord = {
      id,
      username: this.username,
      session_id: this.sessionId,
      increment: delta,
      created_at: now,
    };
    await Promise.all([
      this.#counterRepository.upsert(this.sessionId, { ...counter }),
      this.#logRepository.upsert(id, { ...log }),
    ]);
  }

  /** Sets the signed-in user's picture; `''` means the default one. */
  async setAvatar(avatarUrl: string): Promise<void> {
    const now = this.#now().toISOString();
    const current = this.me();
    await this.#userRepository.upsert(this.username, {
      ...(this.#userRepository.get(this.username) ?? {}),
      id: this.username,
      username: this.username,
      avatar_url: avatarUrl,
      created_at: current?.created_at ?? now,
      updated_at: now,
    });
  }
}
