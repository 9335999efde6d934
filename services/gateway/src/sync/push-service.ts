import {
  AppError,
  clientEventSchema,
  nestsDeeperThan,
  type ErrorCode,
  type SequenceResult,
} from '@lfsync/contracts';
import type { SequencerClient } from '@lfsync/ports';
import type { Logger } from 'pino';
import { reportFailure } from '../report-failure.ts';
import type { CommitTracker } from './commit-tracker.ts';
import { validEvent } from './valid-event.ts';

export interface PushLimits {
  maxBatchEvents: number;
  maxDataBytes: number;
  /** Deepest nesting allowed inside an event (checked before anything is serialised). */
  maxDataDepth: number;
  ackTimeoutMs: number;
  /** Applied to each raw event before validation (the compatibility mode's Dart defaults). */
  normalize?: ((raw: unknown) => unknown) | undefined;
}

interface PushRejection {
  code: ErrorCode;
  message: string;
  eventIds: string[];
  retryAfterMs?: number;
}

export interface PushOutcome {
  acked: SequenceResult[];
  rejected: PushRejection[];
}

type Checked = { ok: true; event: Record<string, unknown>; json: string } | { ok: false; error: AppError };

/** Events of a batch that passed, each with its JSON (serialised once: for the size check and the request). */
interface ValidEvents {
  events: Record<string, unknown>[];
  json: string[];
}

/**
 * The path of every push, WebSocket or REST: validate each event, get sequences, wait until they are
 * durable, and report every event as acked or rejected with a code (never silently dropped).
 */
export class PushService {
  readonly #sequencer: SequencerClient;
  readonly #commits: CommitTracker;
  readonly #limits: PushLimits;
  readonly #logger: Logger;

  constructor(sequencer: SequencerClient, commits: CommitTracker, limits: PushLimits, logger: Logger) {
    this.#sequencer = sequencer;
    this.#commits = commits;
    this.#limits = limits;
    this.#logger = logger;
  }

  /**
   * `texts[i]`, when given, is `rawEvents[i]` as the client wrote it (see ws/pushed-event-texts.ts): an
   * event accepted as it is goes to the sequencer in that text, not serialised again.
   */
  async push(
    repository: string,
    rawEvents: readonly unknown[],
    texts?: readonly string[],
  ): Promise<PushOutcome> {
    if (rawEvents.length > this.#limits.maxBatchEvents) {
      const error = new AppError(
        'BATCH_TOO_LARGE',
        `a batch holds at most ${this.#limits.maxBatchEvents} events`,
      );
      return { acked: [], rejected: [rejection(error, rawEvents.map(eventIdOf))] };
    }
    const rejected: PushRejection[] = [];
    const valid: ValidEvents = { events: [], json: [] };
    const eventTexts = texts?.length === rawEvents.length ? texts : undefined;
    for (const [i, raw] of rawEvents.entries()) {
      const checked = this.#validate(raw, eventTexts?.[i]);
      if (checked.ok) {
        valid.events.push(checked.event);
        valid.json.push(checked.json);
      } else rejected.push(rejection(checked.error, [eventIdOf(raw)]));
    }
    if (valid.events.length === 0) return { acked: [], rejected };
    try {
      return { acked: await this.#sequenceDurably(repository, valid), rejected };
    } catch (err) {
      const error = reportFailure(this.#logger, err, 'push', { repository });
      rejected.push(rejection(error, valid.events.map(eventIdOf)));
      return { acked: [], rejected };
    }
  }

  async #sequenceDurably(repository: string, valid: ValidEvents): Promise<SequenceResult[]> {
    const release = this.#commits.expect(repository);
    try {
      const results = await this.#sequencer.sequence(repository, valid.events, valid.json);
      const highest = results.reduce((a, b) => (b.sequence > a.sequence ? b : a));
      const { ackTimeoutMs } = this.#limits;
      if (await this.#commits.waitFor(repository, highest.sequence, ackTimeoutMs, highest.duplicate))
        return results;
    } finally {
      release();
    }
    throw new AppError('UNAVAILABLE', 'events not yet durable; push them again', { retryAfterMs: 1_000 });
  }

  #validate(raw: unknown, text: string | undefined): Checked {
    // First: zod keeps unknown keys and JSON.stringify recurses, so a hostile depth must not get further.
    if (nestsDeeperThan(raw, this.#limits.maxDataDepth + 1)) {
      const message = `event nests deeper than ${this.#limits.maxDataDepth} levels`;
      return { ok: false, error: new AppError('NESTING_TOO_DEEP', message) };
    }
    const input = this.#limits.normalize?.(raw) ?? raw;
    const fast = validEvent(input);
    const parsed =
      fast === undefined ? clientEventSchema.safeParse(input) : { success: true as const, data: fast };
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? 'unknown' : `${issue.path.join('.')}: ${issue.message}`;
      return { ok: false, error: new AppError('INVALID_EVENT', `invalid event: ${where}`) };
    }
    const event: Record<string, unknown> = parsed.data;
    const json = text !== undefined && event === raw ? text : JSON.stringify(event);
    if (this.#dataTooLarge(json, event['_data'])) {
      const message = `_data is larger than ${this.#limits.maxDataBytes} bytes`;
      return { ok: false, error: new AppError('PAYLOAD_TOO_LARGE', message) };
    }
    return { ok: true, event, json };
  }

  /**
   * `_data` is part of the event's JSON (or of its text, which is no shorter): only an event whose JSON is
   * over the limit needs `_data` measured.
   */
  #dataTooLarge(eventJson: string, data: unknown): boolean {
    const { maxDataBytes } = this.#limits;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (data === undefined || eventJson.length * 3 <= maxDataBytes) return false;
    if (Buffer.byteLength(eventJson) <= maxDataBytes) return false;
    return Buffer.byteLength(JSON.stringify(data)) > maxDataBytes;
  }
}

function rejection(error: AppError, eventIds: ReadonlyArray<string | undefined>): PushRejection {
  const { retryAfterMs } = error;
  return {
    code: error.code,
    message: error.message,
    eventIds: eventIds.filter((id) => id !== undefined),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

function eventIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>)['_event_id'];
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}
