import {
  AppError,
  errorReply,
  failureLogLevel,
  sequenceRequestSchema,
  toAppError,
  type BusNames,
  type SequenceReply,
  type SequenceRequest,
} from '@lfsync/contracts';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { SequencerMetrics } from '../metrics.ts';

/** What answers a request: `SequencerService`. */
export interface SequenceHandler {
  handle(request: SequenceRequest, bytes: number): Promise<SequenceReply>;
}

export interface SequenceResponder {
  /** Stops taking requests and resolves once every request taken has been answered. */
  stop(): Promise<void>;
}

/** Serves `sequence` requests in the sequencers' queue group: any replica may answer any request. */
export function serveSequenceRequests(options: {
  nc: NatsConnection;
  names: BusNames;
  service: SequenceHandler;
  logger: Logger;
  metrics: SequencerMetrics;
}): SequenceResponder {
  const { nc, names, logger } = options;
  const inFlight = new Set<Promise<void>>();
  const subscription = nc.subscribe(names.sequenceSubject, {
    queue: names.sequencerQueue,
    callback: (err, msg) => {
      if (err !== null) {
        logger.error({ err }, 'sequence subscription failed');
        return;
      }
      const work = answer(msg, options).finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
  });
  return {
    async stop() {
      subscription.unsubscribe();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

async function answer(
  msg: Msg,
  { service, logger, metrics }: { service: SequenceHandler; logger: Logger; metrics: SequencerMetrics },
): Promise<void> {
  const stopTimer = metrics.latency.startTimer();
  const reply = await compute(msg, service, logger);
  if (!reply.ok) metrics.failures.inc({ code: reply.code });
  else for (const r of reply.results) (r.duplicate ? metrics.duplicates : metrics.sequenced).inc();
  if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(reply));
  stopTimer();
}

async function compute(msg: Msg, service: SequenceHandler, logger: Logger): Promise<SequenceReply> {
  let json: unknown;
  try {
    json = msg.json();
  } catch {
    return errorReply(new AppError('INVALID_MESSAGE', 'request is not JSON'));
  }
  const parsed = sequenceRequestSchema.safeParse(json);
  if (!parsed.success) return errorReply(new AppError('INVALID_MESSAGE', parsed.error.message));
  try {
    return await service.handle(parsed.data, msg.data.length);
  } catch (err) {
    const error = toAppError(err, 'sequencing');
    const level = failureLogLevel(err);
    if (level !== undefined) logger[level]({ err, repository: parsed.data.repository }, 'sequencing failed');
    return errorReply(error);
  }
}
