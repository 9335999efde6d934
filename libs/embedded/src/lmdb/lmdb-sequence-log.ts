import { DEFAULT_DUPLICATE_WINDOW_MS, decodeSequencedBatch, type SequencedBatch } from '@lfsync/contracts';
import { systemClock, type AppendResult, type Clock, type LogHead, type SequenceLog } from '@lfsync/ports';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

/** One appended batch at its log position (the embedded counterpart of a JetStream stream message). */
export interface LogEntry {
  readonly position: number;
  readonly repository: string;
  /** The batch's JSON, exactly as appended. */
  readonly data: Uint8Array;
}

interface StoredEntry {
  repository: string;
  json: string;
}

interface StoredAppendId {
  version: number;
  at: number;
}

/** Expired append ids forgotten per append: bounded work in the write transaction. */
const PRUNE_PER_APPEND = 64;

type TransactionOutcome =
  | { kind: 'appended'; version: number }
  | { kind: 'conflict' }
  | { kind: 'duplicate'; version: number; json: string };

/**
 * The sequencer's log in LMDB: one global, append-only sequence of positions (like a JetStream stream), a
 * per-repository head whose version is the position of the repository's last batch (optimistic
 * concurrency, as `Nats-Expected-Last-Subject-Sequence`), and append ids remembered for a time window (as
 * `Nats-Msg-Id`; checked before the version, as JetStream does). Appends resolve once durable.
 */
export class LmdbSequenceLog implements SequenceLog {
  readonly #env: LmdbEnvironment;
  readonly #entries: Database<StoredEntry, number>;
  readonly #heads: Database<LogHead, string>;
  readonly #appendIds: Database<StoredAppendId, string>;
  readonly #appendIdsByTime: Database<true, [number, string]>;
  readonly #duplicateWindowMs: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<() => void>();

  constructor(env: LmdbEnvironment, options: { duplicateWindowMs?: number; clock?: Clock } = {}) {
    this.#env = env;
    this.#entries = env.database('log.entries');
    this.#heads = env.database('log.heads');
    this.#appendIds = env.database('log.append-ids');
    this.#appendIdsByTime = env.database('log.append-ids-by-time');
    this.#duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.#clock = options.clock ?? systemClock;
  }

  head(repository: string): Promise<{ head: LogHead; lastBatch: SequencedBatch | undefined }> {
    return new Promise((resolve) => resolve(this.#readHead(repository)));
  }

  async append(batch: SequencedBatch, expectedVersion: number, appendId: string): Promise<AppendResult> {
    const json = JSON.stringify(batch);
    const outcome = await this.#env.write((): TransactionOutcome => {
      const now = this.#clock.now();
      this.#forgetExpiredAppendIds(now);
      const seen = this.#appendIds.get(appendId);
      if (seen !== undefined && now - seen.at < this.#duplicateWindowMs) {
        return {
          kind: 'duplicate',
          version: seen.version,
          json: this.#entries.get(seen.version)?.json ?? '',
        };
      }
      if ((this.#heads.get(batch.repository)?.version ?? 0) !== expectedVersion) return { kind: 'conflict' };
      const position = this.#lastPosition() + 1;
      void this.#entries.put(position, { repository: batch.repository, json });
      void this.#heads.put(batch.repository, { sequence: batch.toSequence, version: position });
      void this.#appendIds.put(appendId, { version: position, at: now });
      void this.#appendIdsByTime.put([now, appendId], true);
      return { kind: 'appended', version: position };
    });
    switch (outcome.kind) {
      case 'appended':
        for (const listener of this.#listeners) listener();
        return outcome;
      case 'conflict':
        return outcome;
      case 'duplicate':
        return {
          kind: 'duplicate',
          version: outcome.version,
          batch: parseBatch(outcome.version, outcome.json),
        };
    }
  }

  /** Entries after `position`, in log order, at most `limit`. */
  read(afterPosition: number, limit: number): LogEntry[] {
    return Array.from(this.#entries.getRange({ start: afterPosition + 1, limit }), ({ key, value }) => ({
      position: key,
      repository: value.repository,
      data: Buffer.from(value.json),
    }));
  }

  /** Calls `listener` after every durable append; returns the function that removes it. */
  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #readHead(repository: string): { head: LogHead; lastBatch: SequencedBatch | undefined } {
    const head = this.#heads.get(repository);
    if (head === undefined) return { head: { sequence: 0, version: 0 }, lastBatch: undefined };
    const entry = this.#entries.get(head.version);
    if (entry === undefined) throw new Error(`log position ${head.version} of ${repository} is missing`);
    return {
      head: { sequence: head.sequence, version: head.version },
      lastBatch: parseBatch(head.version, entry.json),
    };
  }

  #lastPosition(): number {
    for (const position of this.#entries.getKeys({ reverse: true, limit: 1 })) return position;
    return 0;
  }

  #forgetExpiredAppendIds(now: number): void {
    const expired = Array.from(
      this.#appendIdsByTime.getKeys({ end: [now - this.#duplicateWindowMs], limit: PRUNE_PER_APPEND }),
    );
    for (const key of expired) {
      void this.#appendIdsByTime.remove(key);
      if (this.#appendIds.get(key[1])?.at === key[0]) void this.#appendIds.remove(key[1]);
    }
  }
}

function parseBatch(position: number, json: string): SequencedBatch {
  const decoded = decodeSequencedBatch(json);
  if (!decoded.ok) throw new Error(`log position ${position} is not a sequenced batch: ${decoded.reason}`);
  return decoded.batch;
}
