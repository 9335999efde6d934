import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AppError,
  claimAllows,
  isRepositoryName,
  restBatchBodySchema,
  restEventsQuerySchema,
  type ErrorCode,
} from '@lfsync/contracts';
import type { EventReader } from '@lfsync/ports';
import type { Principal, TokenVerifier } from '../auth/token-verifier.ts';
import { bearerToken, readJsonBody, sendError, sendJson } from '../http/http-utils.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { PushOutcome, PushService } from '../sync/push-service.ts';

export interface RestApiOptions {
  verify: TokenVerifier;
  push: PushService;
  store: EventReader;
  metrics: GatewayMetrics;
  maxBodyBytes: number;
  pageSize: number;
}

/**
 * The REST compatibility API of PROTOCOL.md, under the same rules as the WebSocket: bearer JWT, read and
 * write claims per repository, the same validation and the same durable-ack push path.
 */
export function restApi(options: RestApiOptions) {
  const { verify, push, store, metrics } = options;

  async function authenticate(req: IncomingMessage): Promise<Principal> {
    const token = bearerToken(req);
    if (token === undefined) throw new AppError('NOT_AUTHENTICATED', 'missing Authorization: Bearer token');
    return verify(token);
  }

  function requireRepository(
    name: string | undefined,
    principal: Principal,
    access: 'read' | 'write',
  ): string {
    const repository = decodeURIComponent(name ?? '');
    if (!isRepositoryName(repository)) throw new AppError('INVALID_REPOSITORY', 'invalid repository name');
    if (!claimAllows(principal.claim[access], repository))
      throw new AppError('FORBIDDEN', `no ${access} access to ${repository}`);
    return repository;
  }

  function pushed(res: ServerResponse, repository: string, outcome: PushOutcome): void {
    metrics.ackedEvents.inc({ transport: 'rest' }, outcome.acked.length);
    const rejection = outcome.rejected[0];
    if (outcome.acked.length === 0 && rejection !== undefined) {
      metrics.rejections.inc({ code: rejection.code });
      return sendError(res, rejection.code, rejection.message);
    }
    sendJson(res, 201, {
      repository,
      eventIds: outcome.acked.map((r) => r.eventId),
      sequences: Object.fromEntries(outcome.acked.map((r) => [r.eventId, r.sequence])),
      rejected: outcome.rejected,
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const method = req.method ?? 'GET';
    if (parts[1] === 'health' && parts.length === 2 && method === 'GET') {
      return sendJson(res, 200, { status: 'ok', timestamp: new Date().toISOString() });
    }
    const principal = await authenticate(req);
    if (parts[1] === 'repositories' && parts.length === 2 && method === 'GET') {
      const repositories = (await store.repositories()).filter((r) => claimAllows(principal.claim.read, r));
      return sendJson(res, 200, { repositories });
    }
    if (parts[1] !== 'events' || parts.length < 3) throw new AppError('NOT_FOUND', 'no such endpoint');

    if (method === 'POST' && parts.length === 3) {
      const repository = requireRepository(parts[2], principal, 'write');
      const body = await readJsonBody(req, options.maxBodyBytes);
      metrics.pushedEvents.inc({ transport: 'rest' });
      return pushed(res, repository, await push.push(repository, [body]));
    }
    if (method === 'POST' && parts.length === 4 && parts[3] === 'batch') {
      const repository = requireRepository(parts[2], principal, 'write');
      const body = restBatchBodySchema.safeParse(await readJsonBody(req, options.maxBodyBytes));
      if (!body.success) throw new AppError('INVALID_MESSAGE', 'body must be {"events": [...]}');
      metrics.pushedEvents.inc({ transport: 'rest' }, body.data.events.length);
      return pushed(res, repository, await push.push(repository, body.data.events));
    }
    if (method !== 'GET') throw new AppError('NOT_FOUND', 'no such endpoint');
    const repository = requireRepository(parts[2], principal, 'read');
    if (parts.length === 3) {
      const query = restEventsQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success)
        throw new AppError('INVALID_MESSAGE', 'seq and limit must be non-negative integers');
      const limit = Math.min(query.data.limit ?? options.pageSize, options.pageSize);
      const events = await store.readAfter(repository, query.data.seq, limit);
      const text = `{"repository":${JSON.stringify(repository)},"events":[${events.map((e) => e.json).join(',')}],"hasMore":${events.length === limit}}`;
      return sendJson(res, 200, text);
    }
    const found =
      parts.length === 5 && parts[3] === 'byDataId'
        ? await store.latestByDataId(repository, decodeURIComponent(parts[4] ?? ''))
        : parts.length === 4
          ? await store.findByEventId(repository, decodeURIComponent(parts[3] ?? ''))
          : undefined;
    if (found === undefined) throw new AppError('NOT_FOUND', 'event not found');
    return sendJson(res, 200, found.json);
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await route(req, res, url);
    } catch (err) {
      const code: ErrorCode = err instanceof AppError ? err.code : 'INTERNAL';
      metrics.rejections.inc({ code });
      sendError(res, code, err instanceof AppError ? err.message : 'internal error');
    }
  };
}
