import { AppError, sequenceRequestSchema, type BusNames, type SequenceReply } from '@lfsync/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { SequencerService } from '../domain/sequencer-service.ts';
import type { SequencerMetrics } from '../metrics.ts';

/** Serves `sequence` requests in the sequencers' queue group: any replica may answer any request. */
export function serveSequenceRequests(options: {
  nc: NatsConnection;
  names: BusNames;
  service: SequencerService;
  logger: Logger;
  metrics: SequencerMetrics;
}): Subscription {
  const { nc, names, service, logger, metrics } = options;
  const inFlight = new Set<Promise<void>>();
  const subscription = nc.subscribe(names.sequenceSubject, {
    queue: names.sequencerQueue,
    callback: (err, msg) => {
      if (err !== null) {
        logger.error({ err }, 'sequence subscription failed');
        return;
      }
      const work = answer(msg).finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
  });

  async function answer(msg: Msg): Promise<void> {
    const stopTimer = metrics.latency.startTimer();
    const reply = await compute(msg);
    if (!reply.ok) metrics.failures.inc({ code: reply.code });
    else {
      for (const r of reply.results) (r.duplicate ? metrics.duplicates : metrics.sequenced).inc();
    }
    if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(reply));
    stopTimer();
  }

  async function compute(msg: Msg): Promise<SequenceReply> {
    let json: unknown;
    try {
      json = msg.json();
    } catch {
      return { ok: false, code: 'INVALID_MESSAGE', message: 'request is not JSON' };
    }
    const parsed = sequenceRequestSchema.safeParse(json);
    if (!parsed.success) return { ok: false, code: 'INVALID_MESSAGE', message: parsed.error.message };
    try {
      return await service.handle(parsed.data, msg.data.length);
    } catch (err) {
      logger.error({ err, repository: parsed.data.repository }, 'sequencing failed');
      const code = err instanceof AppError ? err.code : 'UNAVAILABLE';
      return { ok: false, code, message: 'sequencing failed, retry' };
    }
  }

  return subscription;
}
