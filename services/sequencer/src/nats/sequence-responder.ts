import {
  AppError,
  SEQUENCING_DEADLINE_MS,
  sequenceRequestSchema,
  type BusNames,
  type SequenceReply,
  type SequenceRequest,
} from '@lfsync/contracts';
import { RequestError, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { SequencerService } from '../domain/sequencer-service.ts';
import type { SequencerMetrics } from '../metrics.ts';
import type { SequencerMembership } from './sequencer-membership.ts';

type Parsed = { ok: true; request: SequenceRequest } | { ok: false; reply: SequenceReply };

/**
 * Serves `sequence` requests in the sequencers' queue group: any replica may receive any request. With
 * `membership`, a request for a repository another replica owns is forwarded to that owner (on its own
 * subject), so that each repository is appended to by one replica and replicas do not spend their time
 * on conflicting appends. Where the owner has gone (no responders) the request is sequenced here.
 */
export function serveSequenceRequests(options: Responder): { unsubscribe(): void } {
  const { nc, names, logger, metrics, membership } = options;
  const handle = (route: boolean) => (err: Error | null, msg: Msg) => {
    if (err !== null) {
      logger.error({ err }, 'sequence subscription failed');
      return;
    }
    void answer(msg, route);
  };
  const shared = nc.subscribe(names.sequenceSubject, { queue: names.sequencerQueue, callback: handle(true) });
  const direct =
    membership === undefined
      ? undefined
      : nc.subscribe(names.sequencerDirectSubject(membership.id), { callback: handle(false) });

  async function answer(msg: Msg, route: boolean): Promise<void> {
    const stopTimer = metrics.latency.startTimer();
    const parsed = parse(msg);
    const owner = parsed.ok && route ? membership?.owner(parsed.request.repository) : undefined;
    const forwarded =
      owner !== undefined && owner !== membership?.id ? await forward(options, msg, owner) : false;
    if (!forwarded) {
      const reply = parsed.ok ? await compute(options, parsed.request, msg.data.length) : parsed.reply;
      if (!reply.ok) metrics.failures.inc({ code: reply.code });
      else for (const r of reply.results) (r.duplicate ? metrics.duplicates : metrics.sequenced).inc();
      if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(reply));
    }
    stopTimer();
  }

  return {
    unsubscribe() {
      shared.unsubscribe();
      direct?.unsubscribe();
    },
  };
}

interface Responder {
  nc: NatsConnection;
  names: BusNames;
  service: SequencerService;
  logger: Logger;
  metrics: SequencerMetrics;
  membership?: SequencerMembership;
}

/** Passes the request to its owner and its reply back; false when the owner is gone. */
async function forward(responder: Responder, msg: Msg, owner: string): Promise<boolean> {
  const { nc, names, logger, metrics, membership } = responder;
  try {
    const reply = await nc.request(names.sequencerDirectSubject(owner), msg.data, {
      timeout: SEQUENCING_DEADLINE_MS,
    });
    metrics.forwarded.inc();
    if (msg.reply !== undefined && msg.reply !== '') msg.respond(reply.data);
    return true;
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders()) {
      membership?.forget(owner);
      return false;
    }
    // The owner took the request but did not answer in time: its requester has given up by now.
    logger.warn({ err, owner }, 'forwarded sequence request failed');
    const reply: SequenceReply = { ok: false, code: 'UNAVAILABLE', message: 'sequencing failed, retry' };
    metrics.failures.inc({ code: reply.code });
    if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(reply));
    return true;
  }
}

async function compute(
  responder: Responder,
  request: SequenceRequest,
  bytes: number,
): Promise<SequenceReply> {
  try {
    return await responder.service.handle(request, bytes);
  } catch (err) {
    responder.logger.error({ err, repository: request.repository }, 'sequencing failed');
    const code = err instanceof AppError ? err.code : 'UNAVAILABLE';
    return { ok: false, code, message: 'sequencing failed, retry' };
  }
}

function parse(msg: Msg): Parsed {
  let json: unknown;
  try {
    json = msg.json();
  } catch {
    return { ok: false, reply: { ok: false, code: 'INVALID_MESSAGE', message: 'request is not JSON' } };
  }
  const parsed = sequenceRequestSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reply: { ok: false, code: 'INVALID_MESSAGE', message: parsed.error.message } };
  return { ok: true, request: parsed.data };
}
