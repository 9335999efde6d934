import { AppError, sequenceRequestSchema, type SequenceRequest, type SequenceReply } from '@lfsync/contracts';
import type { SequencerClient } from '@lfsync/ports';
import type { Logger } from 'pino';

/** What the client calls: `SequencerService` in the embedded mode. */
export interface SequenceHandler {
  handle(request: SequenceRequest, bytes: number): Promise<SequenceReply>;
}

/**
 * The gateway's sequencer client without a network hop: the request crosses the same boundary as on NATS
 * (serialised, validated with the bus schema, sized in bytes) and failures map to the same errors — a
 * sequencer that fails or does not answer in `timeoutMs` is `UNAVAILABLE`, retryable.
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
    if (!reply.ok) throw new AppError(reply.code, reply.message);
    return reply.results;
  }

  /** Resolves once every request handed to the sequencer has finished (to close its storage after). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #answer(request: SequenceRequest, bytes: number): Promise<SequenceReply> {
    const work = this.#handler.handle(request, bytes);
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
      if (err instanceof AppError) throw err;
      this.#logger.error({ err, repository: request.repository }, 'sequencing failed');
      throw new AppError('UNAVAILABLE', 'sequencer did not answer', { cause: err, retryAfterMs: 1_000 });
    } finally {
      clearTimeout(timer);
    }
  }
}
