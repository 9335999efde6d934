import type { ServerResponse } from 'node:http';
import {
  AppError,
  claimAllows,
  isRepositoryName,
  restBatchBodySchema,
  restEventsQuerySchema,
} from '@lfsync/contracts';
import type { EventReader } from '@lfsync/ports';
import type { Principal } from '../auth/token-verifier.ts';
import { readJsonBody, sendError, sendJson } from '../http/http-utils.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { PushOutcome, PushService } from '../sync/push-service.ts';
import type { Route, RouteRequest } from './route-table.ts';

export interface RestRoutesOptions {
  push: PushService;
  store: EventReader;
  metrics: GatewayMetrics;
  maxBodyBytes: number;
  pageSize: number;
}

/** The REST endpoints of docs/protocol.md, as a table. */
export function restRoutes(options: RestRoutesOptions): Route[] {
  return [
    { method: 'GET', path: '/api/health', handle: health },
    { method: 'GET', path: '/api/repositories', handle: (r) => repositories(options, r) },
    { method: 'POST', path: '/api/events/:repository', handle: (r) => pushOne(options, r) },
    { method: 'POST', path: '/api/events/:repository/batch', handle: (r) => pushBatch(options, r) },
    { method: 'GET', path: '/api/events/:repository', handle: (r) => readEvents(options, r) },
    { method: 'GET', path: '/api/events/:repository/:eventId', handle: (r) => byEventId(options, r) },
    { method: 'GET', path: '/api/events/:repository/byDataId/:dataId', handle: (r) => byDataId(options, r) },
  ];
}

function health({ res }: RouteRequest): Promise<void> {
  sendJson(res, 200, { status: 'ok', timestamp: new Date().toISOString() });
  return Promise.resolve();
}

async function repositories({ store }: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const { claim } = await request.authenticate();
  const names = (await store.repositories()).filter((r) => claimAllows(claim.read, r));
  sendJson(request.res, 200, { repositories: names });
}

async function pushOne(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'write');
  const body = await readJsonBody(request.req, options.maxBodyBytes);
  options.metrics.pushedEvents.inc({ transport: 'rest' });
  pushed(options, request.res, repository, await options.push.push(repository, [body]));
}

async function pushBatch(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'write');
  const body = restBatchBodySchema.safeParse(await readJsonBody(request.req, options.maxBodyBytes));
  if (!body.success) throw new AppError('INVALID_MESSAGE', 'body must be {"events": [...]}');
  options.metrics.pushedEvents.inc({ transport: 'rest' }, body.data.events.length);
  pushed(options, request.res, repository, await options.push.push(repository, body.data.events));
}

async function readEvents({ store, pageSize }: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  const query = restEventsQuerySchema.safeParse(Object.fromEntries(request.url.searchParams));
  if (!query.success) throw new AppError('INVALID_MESSAGE', 'seq and limit must be non-negative integers');
  const limit = Math.min(query.data.limit ?? pageSize, pageSize);
  const events = await store.readAfter(repository, query.data.seq, limit);
  const eventsJson = events.map((e) => e.json).join(',');
  const text = `{"repository":${JSON.stringify(repository)},"events":[${eventsJson}],"hasMore":${events.length === limit}}`;
  sendJson(request.res, 200, text);
}

async function byEventId({ store }: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  found(request.res, await store.findByEventId(repository, request.params['eventId'] ?? ''));
}

async function byDataId({ store }: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  found(request.res, await store.latestByDataId(repository, request.params['dataId'] ?? ''));
}

function found(res: ServerResponse, event: { json: string } | undefined): void {
  if (event === undefined) throw new AppError('NOT_FOUND', 'event not found');
  sendJson(res, 200, event.json);
}

async function permittedRepository(request: RouteRequest, access: 'read' | 'write'): Promise<string> {
  const principal: Principal = await request.authenticate();
  const repository = request.params['repository'] ?? '';
  if (!isRepositoryName(repository)) throw new AppError('INVALID_REPOSITORY', 'invalid repository name');
  if (!claimAllows(principal.claim[access], repository))
    throw new AppError('FORBIDDEN', `no ${access} access to ${repository}`);
  return repository;
}

function pushed(
  { metrics }: RestRoutesOptions,
  res: ServerResponse,
  repository: string,
  outcome: PushOutcome,
): void {
  metrics.ackedEvents.inc({ transport: 'rest' }, outcome.acked.length);
  const rejection = outcome.rejected[0];
  if (outcome.acked.length === 0 && rejection !== undefined) {
    metrics.rejections.inc({ code: rejection.code });
    const { code, message, retryAfterMs } = rejection;
    return sendError(res, new AppError(code, message, { retryAfterMs }));
  }
  sendJson(res, 201, {
    repository,
    eventIds: outcome.acked.map((r) => r.eventId),
    sequences: Object.fromEntries(outcome.acked.map((r) => [r.eventId, r.sequence])),
    rejected: outcome.rejected,
  });
}
