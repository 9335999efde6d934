import { AppError, decodeSequencedBatch, type BusNames, type SequencedBatch } from '@lfsync/contracts';
import type { AppendResult, LogHead, SequenceLog } from '@lfsync/ports';
import { ensureLogStream } from '@lfsync/runtime';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type StoredMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { JETSTREAM_TIMEOUT_MS } from './jetstream-timeout.ts';

/** JetStream could not store the message: the stream's `max_bytes` (LOG_MAX_BYTES) is reached, or its disk. */
const STORE_FAILED = 10077;
const INSUFFICIENT_RESOURCES = 10047;
/** How long a client is told to wait when the log is full: the persister trims at least this often. */
const LOG_FULL_RETRY_AFTER_MS = 5_000;

/**
 * The log on JetStream: one subject per repository in one file-backed stream. `Nats-Expected-Last-Subject-
 * Sequence` makes each append conditional on the repository's last message; `Nats-Msg-Id` (the append's
 * event ids) makes a retried append a no-op within the duplicate window.
 */
export class JetStreamSequenceLog implements SequenceLog {
  readonly #names: BusNames;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #onFull: () => void;

  private constructor(names: BusNames, js: JetStreamClient, jsm: JetStreamManager, onFull: () => void) {
    this.#names = names;
    this.#js = js;
    this.#jsm = jsm;
    this.#onFull = onFull;
  }

  /** `onFull` is called for every append refused because the log is full (an alert metric). */
  static async open(
    nc: NatsConnection,
    names: BusNames,
    options: { duplicateWindowMs: number; replicas: number; maxBytes?: number; onFull?: () => void },
  ): Promise<JetStreamSequenceLog> {
    const jsm = await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS });
    await ensureLogStream(jsm, names, options);
    const js = jetstream(nc, { timeout: JETSTREAM_TIMEOUT_MS });
    return new JetStreamSequenceLog(names, js, jsm, options.onFull ?? (() => undefined));
  }

  async head(repository: string): Promise<{ head: LogHead; lastBatch: SequencedBatch | undefined }> {
    const message = await this.#jsm.streams.getMessage(this.#names.logStream, {
      last_by_subj: this.#names.logSubject(repository),
    });
    if (message === null) return { head: { sequence: 0, version: 0 }, lastBatch: undefined };
    const batch = parseBatch(message);
    return { head: { sequence: batch.toSequence, version: message.seq }, lastBatch: batch };
  }

  async append(batch: SequencedBatch, expectedVersion: number, appendId: string): Promise<AppendResult> {
    try {
      const ack = await this.#js.publish(this.#names.logSubject(batch.repository), JSON.stringify(batch), {
        msgID: appendId,
        expect: { lastSubjectSequence: expectedVersion },
      });
      if (!ack.duplicate) return { kind: 'appended', version: ack.seq };
      const stored = await this.#jsm.streams.getMessage(this.#names.logStream, { seq: ack.seq });
      if (stored === null) throw new Error(`log message ${ack.seq} vanished`);
      return { kind: 'duplicate', version: ack.seq, batch: parseBatch(stored) };
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) {
        return { kind: 'conflict' };
      }
      if (
        err instanceof JetStreamApiError &&
        (err.code === STORE_FAILED || err.code === INSUFFICIENT_RESOURCES)
      ) {
        this.#onFull();
        throw new AppError('UNAVAILABLE', `the log cannot take more: ${err.message}`, {
          retryAfterMs: LOG_FULL_RETRY_AFTER_MS,
          cause: err,
        });
      }
      throw err;
    }
  }
}

function parseBatch(message: StoredMsg): SequencedBatch {
  const decoded = decodeSequencedBatch(message.data);
  if (!decoded.ok) throw new Error(`log message ${message.seq} is not a sequenced batch: ${decoded.reason}`);
  return decoded.batch;
}
