import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/token-verifier.ts';
import { decodePathSegment } from '../http/http-utils.ts';

type RouteParams = Readonly<Record<string, string>>;

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The `:name` segments of the pattern, percent-decoded. */
  params: RouteParams;
  /** The bearer token's principal; throws NOT_AUTHENTICATED, INVALID_TOKEN, … */
  authenticate(): Promise<Principal>;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Segments, `:name` for a parameter, e.g. `/api/events/:repository/byDataId/:dataId`. */
  path: string;
  handle(request: RouteRequest): Promise<void>;
}

export type RouteMatch =
  | { kind: 'route'; route: Route; params: RouteParams }
  /** The path is an endpoint, but not for this method. */
  | { kind: 'method-not-allowed' }
  | { kind: 'none' };

/** The first route whose method and pattern match (table order decides between overlapping patterns). */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').filter((s) => s !== '');
  let pathKnown = false;
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params === undefined) continue;
    if (route.method === method) return { kind: 'route', route, params };
    pathKnown = true;
  }
  return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'none' };
}

function matchPath(pattern: string, segments: readonly string[]): RouteParams | undefined {
  const parts = pattern.split('/').filter((s) => s !== '');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = decodePathSegment(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}
