import { errorCodes, type ErrorCode } from '@lfsync/contracts';

/**
 * Every error text the Dart reference server's REST API answers with (`server/websocket_server.dart`),
 * its HTTP status, and the stable code of ours that goes beside it. Clients and the Dart tests compare
 * these texts literally, so they are kept exactly; texts of failures the Dart server reports with an
 * exception appended (`Failed to …: <e>`) are prefixes.
 */
export const dartErrors = {
  endpointNotFound: { text: 'Endpoint not found', status: 404, code: 'NOT_FOUND' },
  /** 405 has no code in the registry yet; the integrator adds `METHOD_NOT_ALLOWED` (httpStatus 405). */
  methodNotAllowed: { text: 'Method not allowed', status: 405, code: 'METHOD_NOT_ALLOWED' },
  eventNotFound: { text: 'Event not found', status: 404, code: 'NOT_FOUND' },
  missingEventId: { text: 'Missing required field: _event_id', status: 400, code: 'INVALID_EVENT' },
  invalidEventsArray: { text: 'Missing or invalid events array', status: 400, code: 'INVALID_MESSAGE' },
  batchMissingEventId: { text: 'All events must have _event_id field', status: 400, code: 'INVALID_EVENT' },
  databaseNotConnected: { text: 'Database not connected', status: 503, code: 'UNAVAILABLE' },
  failedToListRepositories: { text: 'Failed to list repositories', status: 500, code: 'INTERNAL' },
  failedToFetchEvents: { text: 'Failed to fetch events', status: 500, code: 'INTERNAL' },
  failedToFetchEvent: { text: 'Failed to fetch event', status: 500, code: 'INTERNAL' },
  failedToCreateEvent: { text: 'Failed to create event', status: 500, code: 'INTERNAL' },
  failedToCreateEvents: { text: 'Failed to create events', status: 500, code: 'INTERNAL' },
  internalServerError: { text: 'Internal server error', status: 500, code: 'INTERNAL' },
} as const satisfies Record<string, { text: string; status: number; code: ErrorCode | 'METHOD_NOT_ALLOWED' }>;

export type DartErrorName = keyof typeof dartErrors;
export type CompatErrorCode = ErrorCode | 'METHOD_NOT_ALLOWED';

/** The REST error body: the Dart `{error, statusCode}` plus our `code`. */
export interface CompatErrorBody {
  error: string;
  statusCode: number;
  code: CompatErrorCode;
}

export interface CompatErrorReply {
  status: number;
  body: CompatErrorBody;
}

/** A Dart error; `detail` is appended as the Dart server appends its exception (`Failed to …: <detail>`). */
export function dartError(name: DartErrorName, detail?: string): CompatErrorReply {
  const e = dartErrors[name];
  const text = detail === undefined ? e.text : `${e.text}: ${detail}`;
  return { status: e.status, body: { error: text, statusCode: e.status, code: e.code } };
}

/** The REST routes, for choosing which Dart text an error of ours becomes. */
export type CompatRoute =
  'health' | 'repositories' | 'list' | 'create' | 'batch' | 'byEventId' | 'byDataId' | 'unknown';

/**
 * One of our errors as a REST reply. Where the Dart server has a text for the same failure on that route,
 * the text is the Dart one (our message would differ); failures the Dart server cannot have —
 * authentication, permissions, limits, overload — keep our message, with the registry's status.
 * 500s become the route's `Failed to …` text; the detail never reveals internals.
 */
export function compatErrorReply(route: CompatRoute, code: ErrorCode, message: string): CompatErrorReply {
  switch (code) {
    case 'NOT_FOUND':
      return route === 'byEventId' || route === 'byDataId'
        ? dartError('eventNotFound')
        : dartError('endpointNotFound');
    case 'INTERNAL':
      return dartError(internalErrorOf(route), 'internal error');
    case 'INVALID_MESSAGE':
      if (route === 'batch') return dartError('invalidEventsArray');
      return ours(code, message);
    case 'INVALID_EVENT':
    case 'INVALID_REPOSITORY':
    case 'UNKNOWN_TYPE':
    case 'NOT_AUTHENTICATED':
    case 'INVALID_TOKEN':
    case 'TOKEN_EXPIRED':
    case 'AUTH_TIMEOUT':
    case 'FORBIDDEN':
    case 'PAYLOAD_TOO_LARGE':
    case 'BATCH_TOO_LARGE':
    case 'RATE_LIMITED':
    case 'TOO_MANY_PENDING':
    case 'PROTOCOL_VIOLATION':
    case 'SLOW_CONSUMER':
    case 'CONNECTION_LIMIT':
    case 'UNAVAILABLE':
    case 'SHUTTING_DOWN':
      return ours(code, message);
  }
}

function ours(code: ErrorCode, message: string): CompatErrorReply {
  const status = errorCodes[code].httpStatus;
  return { status, body: { error: message, statusCode: status, code } };
}

function internalErrorOf(route: CompatRoute): DartErrorName {
  switch (route) {
    case 'repositories':
      return 'failedToListRepositories';
    case 'list':
      return 'failedToFetchEvents';
    case 'byEventId':
    case 'byDataId':
      return 'failedToFetchEvent';
    case 'create':
      return 'failedToCreateEvent';
    case 'batch':
      return 'failedToCreateEvents';
    case 'health':
    case 'unknown':
      return 'internalServerError';
  }
}
