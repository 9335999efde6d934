import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@lfsync/contracts';
import type { Logger } from 'pino';
import type { Authenticator } from '../compat/anonymous-access.ts';
import { bearerToken, sendError } from '../http/http-utils.ts';
import { reportFailure } from '../report-failure.ts';
import { matchRoute, type RouteRequest } from './route-table.ts';
import { restRoutes, type RestRoutesOptions } from './rest-routes.ts';

export interface RestApiOptions extends RestRoutesOptions {
  authenticate: Authenticator;
  logger: Logger;
}

/**
 * Bearer tokens are not ambient credentials (unlike cookies), so any origin may call the API: a page can
 * only use the tokens it holds. The Dart server sends the same headers.
 */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type, Authorization',
} as const;

/**
 * The REST API of docs/protocol.md, shaped as the Dart server's, under the same rules as the WebSocket:
 * bearer JWT (or the compatibility mode's anonymous access), read and write claims per repository, the same
 * validation and the same durable-ack push path.
 */
export function restApi(options: RestApiOptions) {
  const routes = restRoutes(options);
  const { metrics, logger } = options;

  async function authenticate(req: IncomingMessage) {
    const principal = await options.authenticate(bearerToken(req));
    if (principal === undefined)
      throw new AppError('NOT_AUTHENTICATED', 'missing Authorization: Bearer token');
    return principal;
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    const matched = matchRoute(routes, req.method ?? 'GET', url.pathname);
    const params = matched.kind === 'route' ? matched.params : {};
    const request: RouteRequest = { req, res, url, params, authenticate: () => authenticate(req) };
    if (matched.kind === 'route') return matched.route.handle(request);
    // Decided before authentication, as in the Dart server: the endpoints are public knowledge.
    if (matched.kind === 'method-not-allowed') throw new AppError('METHOD_NOT_ALLOWED');
    throw new AppError('NOT_FOUND', 'Endpoint not found');
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    try {
      await route(req, res, url);
    } catch (err) {
      const error = reportFailure(logger, err, 'rest', { method: req.method, path: url.pathname });
      metrics.rejections.inc({ code: error.code });
      sendError(res, error);
    }
  };
}
