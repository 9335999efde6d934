import type { ServerResponse } from 'node:http';
import { AppError } from '@lfsync/contracts';
import { hasEventIdKey } from '../compat/loose-event.ts';
import { readJsonBody, sendError, sendJson } from '../http/http-utils.ts';
import type { PushOutcome } from '../sync/push-service.ts';
import { permittedRepository } from './permitted-repository.ts';
import type { RestRoutesOptions } from './rest-routes.ts';
import type { RouteRequest } from './route-table.ts';

/** `POST /api/events/{r}` (one event): 201 `{status: "success", repository, eventId}`, also for a re-push. */
export async function pushOne(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'write');
  const body = await readJsonBody(request.req, options.maxBodyBytes);
  if (!hasEventIdKey(body)) throw new AppError('INVALID_EVENT', 'Missing required field: _event_id');
  options.metrics.pushedEvents.inc({ transport: 'rest' });
  const outcome = await options.push.push(repository, [body]);
  const acked = outcome.acked[0];
  if (!replyRejection(options, request.res, outcome) && acked !== undefined) {
    sendJson(request.res, 201, { status: 'success', repository, eventId: acked.eventId, ...stored(outcome) });
  }
}

/**
 * `POST /api/events/{r}/batch` (`{"events": […]}`): 201 `{status: "success", repository, eventIds, count}`
 * only when every event is stored — the Flutter apps take a 201 as "all of them synced" and drop them from
 * their queue. Otherwise the first refusal's status and code, with what was stored and what was not
 * (`rejected`); sending the whole batch again is safe, stored events keep their sequences.
 */
export async function pushBatch(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'write');
  const body = await readJsonBody(request.req, options.maxBodyBytes);
  const events =
    typeof body === 'object' && body !== null ? (body as { events?: unknown }).events : undefined;
  if (!Array.isArray(events)) throw new AppError('INVALID_MESSAGE', 'Missing or invalid events array');
  if (!events.every(hasEventIdKey))
    throw new AppError('INVALID_EVENT', 'All events must have _event_id field');
  options.metrics.pushedEvents.inc({ transport: 'rest' }, events.length);
  const outcome = await options.push.push(repository, events);
  if (!replyRejection(options, request.res, outcome)) {
    const { eventIds, sequences } = stored(outcome);
    sendJson(request.res, 201, {
      status: 'success',
      repository,
      eventIds,
      count: eventIds.length,
      sequences,
    });
  }
}

/** Answers with the first refusal, if any (true), keeping what was stored beside it. */
function replyRejection(options: RestRoutesOptions, res: ServerResponse, outcome: PushOutcome): boolean {
  options.metrics.ackedEvents.inc({ transport: 'rest' }, outcome.acked.length);
  const rejection = outcome.rejected[0];
  if (rejection === undefined) return false;
  for (const { code } of outcome.rejected) options.metrics.rejections.inc({ code });
  const { code, message, retryAfterMs } = rejection;
  sendError(res, new AppError(code, message, { retryAfterMs }), {
    ...stored(outcome),
    rejected: outcome.rejected,
  });
  return true;
}

function stored(outcome: PushOutcome): { eventIds: string[]; sequences: Record<string, number> } {
  return {
    eventIds: outcome.acked.map((r) => r.eventId),
    sequences: Object.fromEntries(outcome.acked.map((r) => [r.eventId, r.sequence])),
  };
}
