import { AppError, clientEventSchema, type ErrorCode, type SequenceResult } from '@lfsync/contracts';
import type { SequencerClient } from '@lfsync/ports';
import type { CommitTracker } from './commit-tracker.ts';

export interface PushLimits {
  maxBatchEvents: number;
  maxDataBytes: number;
  ackTimeoutMs: number;
}

export interface PushRejection {
  code: ErrorCode;
  message: string;
  eventIds: string[];
  retryAfterMs?: number;
}

export interface PushOutcome {
  acked: SequenceResult[];
  rejected: PushRejection[];
}

/**
 * The path of every push, WebSocket or REST: validate each event, get sequences, wait until they are
 * durable, and report every event as acked or rejected with a code (never silently dropped).
 */
export class PushService {
  readonly #sequencer: SequencerClient;
  readonly #commits: CommitTracker;
  readonly #limits: PushLimits;

  constructor(sequencer: SequencerClient, commits: CommitTracker, limits: PushLimits) {
    this.#sequencer = sequencer;
    this.#commits = commits;
    this.#limits = limits;
  }

  async push(repository: string, rawEvents: readonly unknown[]): Promise<PushOutcome> {
    if (rawEvents.length > this.#limits.maxBatchEvents) {
      return {
        acked: [],
        rejected: [
          {
            code: 'BATCH_TOO_LARGE',
            message: `a batch holds at most ${this.#limits.maxBatchEvents} events`,
            eventIds: rawEvents.map(eventIdOf).filter((id) => id !== undefined),
          },
        ],
      };
    }
    const rejected: PushRejection[] = [];
    const valid: Record<string, unknown>[] = [];
    for (const raw of rawEvents) {
      const checked = this.#validate(raw);
      if (checked.ok) {
        valid.push(checked.event);
      } else {
        const id = eventIdOf(raw);
        rejected.push({
          code: checked.code,
          message: checked.message,
          eventIds: id === undefined ? [] : [id],
        });
      }
    }
    if (valid.length === 0) return { acked: [], rejected };

    try {
      const results = await this.#sequencer.sequence(repository, valid);
      const highest = Math.max(...results.map((r) => r.sequence));
      if (await this.#commits.waitFor(repository, highest, this.#limits.ackTimeoutMs)) {
        return { acked: results, rejected };
      }
      throw new AppError('UNAVAILABLE', 'events not yet durable; push them again', { retryAfterMs: 1_000 });
    } catch (err) {
      const appError =
        err instanceof AppError ? err : new AppError('INTERNAL', 'push failed', { cause: err });
      rejected.push({
        code: appError.code,
        message: appError.message,
        eventIds: valid.map((e) => e['_event_id'] as string),
        ...(appError.retryAfterMs === undefined ? {} : { retryAfterMs: appError.retryAfterMs }),
      });
      return { acked: [], rejected };
    }
  }

  #validate(
    raw: unknown,
  ): { ok: true; event: Record<string, unknown> } | { ok: false; code: ErrorCode; message: string } {
    const parsed = clientEventSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? 'unknown' : `${issue.path.join('.')}: ${issue.message}`;
      return { ok: false, code: 'INVALID_EVENT', message: `invalid event: ${where}` };
    }
    const data = parsed.data._data;
    if (data !== undefined && Buffer.byteLength(JSON.stringify(data)) > this.#limits.maxDataBytes) {
      return {
        ok: false,
        code: 'PAYLOAD_TOO_LARGE',
        message: `_data is larger than ${this.#limits.maxDataBytes} bytes`,
      };
    }
    return { ok: true, event: parsed.data };
  }
}

function eventIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>)['_event_id'];
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}
