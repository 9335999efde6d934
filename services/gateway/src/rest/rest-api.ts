import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@lfsync/contracts';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import { bearerToken, sendError } from '../http/http-utils.ts';
import { reportFailure } from '../report-failure.ts';
import { matchRoute, type RouteRequest } from './route-table.ts';
import { restRoutes, type RestRoutesOptions } from './rest-routes.ts';

export interface RestApiOptions extends RestRoutesOptions {
  verify: TokenVerifier;
  logger: Logger;
}

/**
 * The REST compatibility API of docs/protocol.md, under the same rules as the WebSocket: bearer JWT, read and
 * write claims per repository, the same validation and the same durable-ack push path.
 */
export function restApi(options: RestApiOptions) {
  const routes = restRoutes(options);
  const { verify, metrics, logger } = options;

  function authenticate(req: IncomingMessage) {
    const token = bearerToken(req);
    if (token === undefined) throw new AppError('NOT_AUTHENTICATED', 'missing Authorization: Bearer token');
    return verify(token);
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const matched = matchRoute(routes, req.method ?? 'GET', url.pathname);
    const request: RouteRequest = {
      req,
      res,
      url,
      params: matched?.params ?? {},
      authenticate: () => authenticate(req),
    };
    if (matched !== undefined) return matched.route.handle(request);
    // Who may not use the API learns that before learning which endpoints exist.
    await request.authenticate();
    throw new AppError('NOT_FOUND', 'no such endpoint');
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await route(req, res, url);
    } catch (err) {
      const error = reportFailure(logger, err, 'rest', { method: req.method, path: url.pathname });
      metrics.rejections.inc({ code: error.code });
      sendError(res, error);
    }
  };
}
