import {
  AppError,
  MAX_EVENT_ID_LENGTH,
  errorReply,
  isEventId,
  isPlainRecord,
  isRepositoryName,
  sequenceRequestSchema,
  type SequenceReply,
  type SequenceRequest,
} from '@lfsync/contracts';

type ParsedRequest = { ok: true; request: SequenceRequest } | { ok: false; reply: SequenceReply };

/**
 * Reads a `sequence` request: `sequenceRequestSchema`'s checks by hand (the differential test holds them
 * to it). The gateway validated the events already; zod's parse copied every event and was a tenth of
 * the sequencer's parsing time. A malformed message is answered INVALID_MESSAGE, never thrown.
 */
export function parseSequenceRequest(text: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return invalid('request is not JSON');
  }
  if (!isPlainObject(json)) return invalid('request is not an object');
  const { repository, events } = json;
  if (!isRepositoryName(repository)) return invalid('repository: not a valid repository name');
  if (!Array.isArray(events) || events.length === 0) return invalid('events: not a non-empty array');
  for (const [i, event] of (events as unknown[]).entries()) {
    const problem = eventProblem(event);
    if (problem !== undefined) return invalid(`events[${i}]: ${problem}`);
    if (reshapedBySchema(event as Record<string, unknown>)) return bySchema(json);
  }
  return { ok: true, request: { repository, events: events as SequenceRequest['events'] } };
}

/**
 * The schema's output puts `_event_id` first and drops an own `__proto__` (no plain record then): an event
 * the gateway did not shape (its events always are) goes through the schema, so the log gets what it always
 * got.
 */
function reshapedBySchema(event: Record<string, unknown>): boolean {
  if (!isPlainRecord(event)) return true;
  for (const key in event) return key !== '_event_id';
  return true;
}

function bySchema(json: unknown): ParsedRequest {
  const parsed = sequenceRequestSchema.safeParse(json);
  return parsed.success ? { ok: true, request: parsed.data } : invalid(parsed.error.message);
}

function eventProblem(event: unknown): string | undefined {
  if (!isPlainObject(event)) return 'not an object';
  if (!isEventId(event['_event_id']))
    return `_event_id: not a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): ParsedRequest {
  return { ok: false, reply: errorReply(new AppError('INVALID_MESSAGE', message)) };
}
