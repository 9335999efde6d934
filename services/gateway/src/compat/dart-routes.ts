import type { CompatRoute, DartErrorName } from './dart-errors.ts';

export type DartRoute =
  | { kind: 'options' }
  | { kind: 'health' }
  | { kind: 'repositories' }
  | { kind: 'list'; repository: string }
  | { kind: 'create'; repository: string }
  | { kind: 'batch'; repository: string }
  | { kind: 'byEventId'; repository: string; eventId: string }
  | { kind: 'byDataId'; repository: string; dataId: string }
  | {
      kind: 'error';
      route: CompatRoute;
      error: Extract<DartErrorName, 'endpointNotFound' | 'methodNotAllowed'>;
    };

const notFound: DartRoute = { kind: 'error', route: 'unknown', error: 'endpointNotFound' };
const notAllowed = (route: CompatRoute): DartRoute => ({ kind: 'error', route, error: 'methodNotAllowed' });

/**
 * The Dart server's REST routing (`/api/...`), method and path to route, decided before authentication
 * so an unknown path is a 404 and a wrong method a 405 for everyone. OPTIONS on any path is the CORS
 * preflight. Segments are percent-decoded; a trailing slash is an empty last segment, as in Dart.
 * `GET /api/events/R/batch` is an event-id lookup, as in Dart.
 */
export function matchDartRoute(method: string, pathname: string): DartRoute {
  if (method === 'OPTIONS') return { kind: 'options' };
  const segments = decodeSegments(pathname);
  if (segments === undefined || segments[0] !== 'api') return notFound;
  const [, area, repository, fourth, fifth] = segments;
  if (segments.length === 2 && area === 'health')
    return method === 'GET' ? { kind: 'health' } : notAllowed('health');
  if (segments.length === 2 && area === 'repositories')
    return method === 'GET' ? { kind: 'repositories' } : notAllowed('repositories');
  if (area !== 'events' || repository === undefined) return notFound;
  if (segments.length === 3) {
    if (method === 'GET') return { kind: 'list', repository };
    if (method === 'POST') return { kind: 'create', repository };
    return notAllowed('list');
  }
  if (segments.length === 4 && fourth !== undefined) {
    if (method === 'POST' && fourth === 'batch') return { kind: 'batch', repository };
    if (method === 'GET') return { kind: 'byEventId', repository, eventId: fourth };
    return notAllowed(fourth === 'batch' ? 'batch' : 'byEventId');
  }
  if (segments.length === 5 && fourth === 'byDataId' && fifth !== undefined && method === 'GET') {
    return { kind: 'byDataId', repository, dataId: fifth };
  }
  return notFound;
}

function decodeSegments(pathname: string): string[] | undefined {
  if (!pathname.startsWith('/')) return undefined;
  try {
    return pathname.slice(1).split('/').map(decodeURIComponent);
  } catch {
    return undefined; // malformed percent-encoding: no such endpoint
  }
}

/** The headers the Dart server puts on every REST response, errors and preflights included. */
export const DART_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type, Authorization',
} as const;
