import {
  AppError,
  DEFAULT_DUPLICATE_WINDOW_MS,
  decodeSequencedBatch,
  type SequencedBatch,
} from '@lfsync/contracts';
import { systemClock, type AppendResult, type Clock, type LogHead, type SequenceLog } from '@lfsync/ports';
import type { Database } from 'lmdb';
import type { LmdbEnvironment } from './lmdb-environment.ts';

/** One appended batch at its log position (the embedded counterpart of a JetStream stream message). */
export interface LogEntry {
  readonly position: number;
  readonly repository: string;
  /** The batch's JSON, exactly as appended. */
  readonly data: Uint8Array;
  /** Epoch ms; 0 for an entry written before append times were kept. */
  readonly appendedAt: number;
}

interface StoredEntry {
  repository: string;
  json: string;
  /** Append time (epoch ms); missing on entries written before retention existed (trimmed as old). */
  at?: number;
}

/** Bytes held by entries, and the position up to which trimming has looked. */
interface LogMeta {
  bytes: number;
  trimmedUpTo: number;
}

export interface LmdbLogOptions {
  duplicateWindowMs?: number;
  /** Entries done by the persister are removed once older than this (never less than the duplicate window); 0 keeps all. */
  retentionMs?: number;
  /** Past this many bytes of entries, appends are refused with a retryable UNAVAILABLE; 0 = no limit. */
  maxBytes?: number;
  clock?: Clock;
}

interface StoredAppendId {
  version: number;
  at: number;
}

/** Expired append ids forgotten per append: bounded work in the write transaction. */
const PRUNE_PER_APPEND = 64;
/** Entries looked at per trim: bounded work in one write transaction. */
const TRIM_PER_CALL = 10_000;
const LOG_FULL_RETRY_AFTER_MS = 5_000;
const META_KEY = 'meta';

type TransactionOutcome =
  | { kind: 'appended'; version: number }
  | { kind: 'conflict' }
  | { kind: 'full'; bytes: number }
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
  readonly #meta: Database<LogMeta, string>;
  readonly #duplicateWindowMs: number;
  readonly #retentionMs: number;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<() => void>();

  constructor(env: LmdbEnvironment, options: LmdbLogOptions = {}) {
    this.#env = env;
    this.#entries = env.database('log.entries');
    this.#heads = env.database('log.heads');
    this.#appendIds = env.database('log.append-ids');
    this.#appendIdsByTime = env.database('log.append-ids-by-time');
    this.#meta = env.database('log.meta');
    this.#duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.#retentionMs = options.retentionMs ?? 0;
    this.#maxBytes = options.maxBytes ?? 0;
    this.#clock = options.clock ?? systemClock;
  }

  /** Bytes of the entries the log holds. */
  get bytes(): number {
    return this.#readMeta().bytes;
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
      const previous = this.#heads.get(batch.repository)?.version ?? 0;
      if (previous !== expectedVersion) return { kind: 'conflict' };
      const meta = this.#readMeta();
      if (this.#maxBytes > 0 && meta.bytes + json.length > this.#maxBytes)
        return { kind: 'full', bytes: meta.bytes };
      // Taken before anything is removed: a position is never given twice (the feed's cursor relies on it).
      const position = this.#lastPosition() + 1;
      // The repository's last entry, kept by an earlier trim only because it was the last: no longer.
      if (previous > 0 && previous <= meta.trimmedUpTo) meta.bytes -= this.#remove(previous);
      void this.#meta.put(META_KEY, { ...meta, bytes: meta.bytes + json.length });
      void this.#entries.put(position, { repository: batch.repository, json, at: now });
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
      case 'full':
        throw new AppError(
          'UNAVAILABLE',
          `the log holds ${outcome.bytes} bytes, its limit is ${this.#maxBytes}`,
          {
            retryAfterMs: LOG_FULL_RETRY_AFTER_MS,
          },
        );
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
      appendedAt: value.at ?? 0,
    }));
  }

  /**
   * Removes entries at or below `donePosition` (the persister's cursor: stored) older than the retention
   * window, except each repository's last entry (its head). Returns how many were removed.
   */
  async trim(donePosition: number): Promise<number> {
    if (this.#retentionMs === 0) return 0;
    const before = this.#clock.now() - Math.max(this.#retentionMs, this.#duplicateWindowMs);
    return this.#env.write(() => {
      const meta = this.#readMeta();
      let removed = 0;
      for (const { key, value } of this.#entries.getRange({
        start: meta.trimmedUpTo + 1,
        limit: TRIM_PER_CALL,
      })) {
        if (key > donePosition || (value.at ?? 0) > before) break;
        meta.trimmedUpTo = key;
        if (this.#heads.get(value.repository)?.version === key) continue;
        meta.bytes -= this.#remove(key);
        removed += 1;
      }
      void this.#meta.put(META_KEY, meta);
      return removed;
    });
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

  /** Removes an entry (inside a write transaction); returns its bytes. */
  #remove(position: number): number {
    const bytes = this.#entries.get(position)?.json.length ?? 0;
    void this.#entries.remove(position);
    return bytes;
  }

  #readMeta(): LogMeta {
    const stored = this.#meta.get(META_KEY);
    if (stored !== undefined) return { ...stored };
    // A log written before retention existed: count what it holds once.
    let bytes = 0;
    for (const { value } of this.#entries.getRange({})) bytes += value.json.length;
    return { bytes, trimmedUpTo: 0 };
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
