import {
  AppError,
  SEQUENCING_DEADLINE_MS,
  errorReply,
  failureLogLevel,
  toAppError,
  type BusNames,
  type SequenceReply,
  type SequenceRequest,
} from '@lfsync/contracts';
import { RequestError, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { SequencerMetrics } from '../metrics.ts';
import { parseSequenceRequest } from './sequence-request.ts';
import type { SequencerMembership } from './sequencer-membership.ts';

/** What answers a request: `SequencerService`. */
interface SequenceHandler {
  handle(request: SequenceRequest, bytes: number): Promise<SequenceReply>;
}

export interface SequenceResponder {
  /** Requests taken and not yet answered. */
  readonly inFlight: number;
  /** Stops taking requests and resolves once every request taken has been answered. */
  stop(): Promise<void>;
}

interface Responder {
  nc: NatsConnection;
  names: BusNames;
  service: SequenceHandler;
  logger: Logger;
  metrics: SequencerMetrics;
  membership?: SequencerMembership | undefined;
}

/**
 * Serves `sequence` requests in the sequencers' queue group: any replica may receive any request. With
 * `membership`, a request for a repository another replica owns is forwarded to that owner (on its own
 * subject), so that each repository is appended to by one replica and replicas do not spend their time
 * on conflicting appends. Where the owner has gone (no responders) the request is sequenced here.
 */
export function serveSequenceRequests(options: Responder): SequenceResponder {
  const { nc, names, logger, membership } = options;
  const inFlight = new Set<Promise<void>>();
  const handle = (route: boolean) => (err: Error | null, msg: Msg) => {
    if (err !== null) {
      logger.error({ err }, 'sequence subscription failed');
      return;
    }
    const work = answer(options, msg, route).finally(() => inFlight.delete(work));
    inFlight.add(work);
  };
  const shared = nc.subscribe(names.sequenceSubject, { queue: names.sequencerQueue, callback: handle(true) });
  const direct =
    membership === undefined
      ? undefined
      : nc.subscribe(names.sequencerDirectSubject(membership.id), { callback: handle(false) });
  return {
    get inFlight() {
      return inFlight.size;
    },
    async stop() {
      shared.unsubscribe();
      direct?.unsubscribe();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

async function answer(responder: Responder, msg: Msg, route: boolean): Promise<void> {
  const { metrics, membership } = responder;
  const stopTimer = metrics.latency.startTimer();
  const parsed = parseSequenceRequest(msg.string());
  const owner = parsed.ok && route ? membership?.owner(parsed.request.repository) : undefined;
  const forwarded =
    owner !== undefined && owner !== membership?.id ? await forward(responder, msg, owner) : false;
  if (!forwarded) {
    const reply = parsed.ok ? await compute(responder, parsed.request, msg.data.length) : parsed.reply;
    respond(responder, msg, reply);
  }
  stopTimer();
}

function respond(responder: Responder, msg: Msg, reply: SequenceReply): void {
  if (!reply.ok) responder.metrics.failures.inc({ code: reply.code });
  else {
    let duplicates = 0;
    for (const r of reply.results) if (r.duplicate) duplicates++;
    if (duplicates > 0) responder.metrics.duplicates.inc(duplicates);
    if (reply.results.length > duplicates) responder.metrics.sequenced.inc(reply.results.length - duplicates);
  }
  if (msg.reply !== undefined && msg.reply !== '') msg.respond(JSON.stringify(reply));
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
    respond(
      responder,
      msg,
      errorReply(new AppError('UNAVAILABLE', 'sequencing failed, retry', { cause: err })),
    );
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
    const level = failureLogLevel(err);
    if (level !== undefined)
      responder.logger[level]({ err, repository: request.repository }, 'sequencing failed');
    return errorReply(toAppError(err, 'sequencing'));
  }
}
