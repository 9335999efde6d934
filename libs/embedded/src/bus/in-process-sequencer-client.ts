import {
  AppError,
  errorOfReply,
  errorReply,
  failureLogLevel,
  sequenceRequestSchema,
  toAppError,
  type SequenceRequest,
  type SequenceReply,
} from '@lfsync/contracts';
import type { SequencerClient } from '@lfsync/ports';
import type { Logger } from 'pino';

/** What the client calls: `SequencerService` in the embedded mode. */
export interface SequenceHandler {
  handle(request: SequenceRequest, bytes: number): Promise<SequenceReply>;
}

/**
 * The gateway's sequencer client without a network hop: the request crosses the same boundary as on NATS
 * (serialised, validated with the bus schema, sized in bytes) and failures map to the same errors as the
 * NATS responder and client do: the sequencer's failure becomes a reply (`errorReply`, logged once here
 * as the responder would), read back as the requester reads it (`errorOfReply`); a sequencer that does not
 * answer in `timeoutMs` is `UNAVAILABLE`, retryable.
 */
export class InProcessSequencerClient implements SequencerClient {
  readonly #handler: SequenceHandler;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: { handler: SequenceHandler; timeoutMs: number; logger: Logger }) {
    this.#handler = options.handler;
    this.#timeoutMs = options.timeoutMs;
    this.#logger = options.logger;
  }

  async sequence(repository: string, events: readonly Record<string, unknown>[]) {
    const text = JSON.stringify({ repository, events });
    const parsed = sequenceRequestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new AppError('INVALID_MESSAGE', parsed.error.message);
    const reply = await this.#answer(parsed.data, Buffer.byteLength(text));
    if (!reply.ok) throw errorOfReply(reply);
    return reply.results;
  }

  /** Requests handed to the sequencer and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once every request handed to the sequencer has finished (to close its storage after). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #answer(request: SequenceRequest, bytes: number): Promise<SequenceReply> {
    const work = this.#handler.handle(request, bytes).catch((err: unknown) => {
      const level = failureLogLevel(err);
      if (level !== undefined)
        this.#logger[level]({ err, repository: request.repository }, 'sequencing failed');
      return errorReply(toAppError(err, 'sequencing'));
    });
    this.#inFlight.add(work);
    void work.then(
      () => this.#inFlight.delete(work),
      () => this.#inFlight.delete(work),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      // Only the timeout rejects: the requester's side of a request that got no answer.
      throw new AppError('UNAVAILABLE', 'sequencer did not answer', { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}
