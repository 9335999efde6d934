import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_ROLE, AppError, toAppError } from '@lfsync/contracts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import { bearerToken, sendError, sendJson } from '../http/http-utils.ts';
import type { DashboardView } from './dashboard-view.ts';

/** The page's files: it holds no data and asks for a token; the data comes from `/admin/stats`. */
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/admin': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/admin/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/admin/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/admin/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/admin/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

type OpsRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * `/admin` (the dashboard page) and `/admin/stats` (its JSON, for a token with the `admin` role) on the
 * gateway's ops port: no token is 401 NOT_AUTHENTICATED, a bad one 401 INVALID_TOKEN / TOKEN_EXPIRED, a
 * token without the role 403 FORBIDDEN.
 */
export function adminRoutes(verify: TokenVerifier, view: () => DashboardView): OpsRoute {
  const pages = new Map(
    Object.entries(PAGE_FILES).map(([path, { file, type }]) => [
      path,
      { body: readFileSync(new URL(`./page/${file}`, import.meta.url)), type },
    ]),
  );
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const page = pages.get(path);
    if (page === undefined && path !== '/admin/stats') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, new AppError('METHOD_NOT_ALLOWED', 'use GET'));
      return true;
    }
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': page.type, ...PAGE_HEADERS }).end(page.body);
      return true;
    }
    const refusal = await adminRefusal(verify, bearerToken(req));
    if (refusal !== undefined) {
      if (refusal.spec.httpStatus === 401) res.setHeader('www-authenticate', 'Bearer');
      sendError(res, refusal);
      return true;
    }
    sendJson(res, 200, view());
    return true;
  };
}

/** Why the token may not see the dashboard; undefined when it may. */
async function adminRefusal(verify: TokenVerifier, token: string | undefined): Promise<AppError | undefined> {
  if (token === undefined)
    return new AppError('NOT_AUTHENTICATED', 'send an admin token in Authorization: Bearer');
  try {
    const principal = await verify(token);
    if (principal.roles.includes(ADMIN_ROLE)) return undefined;
    return new AppError('FORBIDDEN', `the token has no "${ADMIN_ROLE}" role`);
  } catch (err) {
    return toAppError(err, 'admin token verification');
  }
}
