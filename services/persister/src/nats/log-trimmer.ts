import type { BusNames } from '@lfsync/contracts';
import type { Cancel, Clock } from '@lfsync/ports';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { PersisterMetrics } from '../metrics.ts';
import type { LogPosition } from '../store/log-position.ts';
import { LOG_PAGE_SIZE, readLogPage } from './log-pages.ts';

const NANOS_PER_MS = 1_000_000;
/** Log messages looked at per pass: bounds one pass's work; the next pass goes on from there. */
const MAX_MESSAGES_PER_PASS = 50_000;

export interface TrimOutcome {
  /** Messages removed from the log. */
  purged: number;
  /** Stream bytes after the pass. */
  bytes: number;
}

/**
 * Removes log messages that are stored in MongoDB (at or below the persister consumer's ack floor) and
 * older than the retention window (never shorter than the stream's duplicate window: a retried append
 * must find the message it duplicates), keeping each repository's last message, where the sequencer reads
 * its head. Per repository that is one purge of its subject below its newest message in the range.
 * Before each pass the ack floor is saved in MongoDB: after a restore from a backup, the persister replays
 * the log from there (see `replayAfterRestore`).
 */
export class LogTrimmer {
  readonly #jsm: JetStreamManager;
  readonly #names: BusNames;
  readonly #retentionMs: number;
  readonly #position: LogPosition;
  readonly #metrics: PersisterMetrics;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #batched: boolean;
  /** Where the next pass starts looking (everything below was looked at). */
  #cursor = 0;
  #cancel: Cancel | undefined;
  #pass: Promise<unknown> = Promise.resolve();

  constructor(options: {
    jsm: JetStreamManager;
    names: BusNames;
    retentionMs: number;
    position: LogPosition;
    metrics: PersisterMetrics;
    logger: Logger;
    clock: Clock;
    /** Direct batch gets (NATS 2.11+). */
    batched: boolean;
  }) {
    this.#jsm = options.jsm;
    this.#names = options.names;
    this.#retentionMs = options.retentionMs;
    this.#position = options.position;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#batched = options.batched;
  }

  /** Trims every `intervalMs` until stopped; a failed pass is logged and tried again next time. */
  start(intervalMs: number): void {
    const tick = () => {
      this.#pass = this.trim()
        .catch((err: unknown) => this.#logger.warn({ err }, 'log trim failed'))
        .finally(() => {
          if (this.#cancel !== undefined) this.#cancel = this.#clock.schedule(intervalMs, tick);
        });
    };
    this.#cancel = this.#clock.schedule(intervalMs, tick);
  }

  async stop(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    await this.#pass;
  }

  async trim(): Promise<TrimOutcome> {
    const stream = this.#names.logStream;
    const [info, consumer] = await Promise.all([
      this.#jsm.streams.info(stream),
      this.#jsm.consumers.info(stream, this.#names.persisterConsumer),
    ]);
    const floor = consumer.ack_floor.stream_seq;
    await this.#position.save(floor);
    const windowMs = Math.max(this.#retentionMs, info.config.duplicate_window / NANOS_PER_MS);
    const newestToTrim = await this.#newestPerRepository(floor, this.#clock.now() - windowMs);
    let purged = 0;
    for (const [subject, keep] of newestToTrim) {
      // Nothing lies below sequence 1, and nats-server takes `seq: 1` as no bound: it would purge it all.
      if (keep <= 1) continue;
      purged += (await this.#jsm.streams.purge(stream, { filter: subject, seq: keep })).purged;
    }
    const after = purged > 0 ? (await this.#jsm.streams.info(stream)).state : info.state;
    this.#metrics.logTrimmed.inc(purged);
    this.#metrics.logBytes.set(after.bytes);
    this.#metrics.logMaxBytes.set(Math.max(info.config.max_bytes, 0));
    if (purged > 0) this.#logger.info({ purged, bytes: after.bytes, floor }, 'log trimmed');
    return { purged, bytes: after.bytes };
  }

  /** Per subject, the newest message at or below `floor` and older than `before` (epoch ms). */
  async #newestPerRepository(floor: number, before: number): Promise<Map<string, number>> {
    const newest = new Map<string, number>();
    let from = Math.max(this.#cursor, 1);
    for (let looked = 0; looked < MAX_MESSAGES_PER_PASS;) {
      const page = await readLogPage(
        this.#jsm,
        this.#names.logStream,
        this.#names.logSubjectWildcard,
        from,
        this.#batched,
      );
      for (const message of page) {
        if (message.seq > floor || message.time.getTime() > before) return newest;
        newest.set(message.subject, message.seq);
        from = this.#cursor = message.seq + 1;
        looked += 1;
      }
      if (page.length < LOG_PAGE_SIZE) break;
    }
    return newest;
  }
}
