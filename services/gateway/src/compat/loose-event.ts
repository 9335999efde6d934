import { eventIdSchema } from '@lfsync/contracts';
import { z } from 'zod';

/**
 * An event under `EVENT_VALIDATION=loose`: any JSON object with a string `_event_id`, stored as given, as
 * the Dart server accepts (its tests post `{"_event_id", "id", "username"}`). A client-supplied
 * `serverSequence` or `_id` is still removed. Stricter than Dart in one point: a `null` `_event_id` is
 * refused (the idempotency key must be a string).
 */
export const looseEventSchema = z
  .looseObject({
    _event_id: eventIdSchema,
    serverSequence: z.unknown().optional(),
    _id: z.unknown().optional(),
  })
  .transform(({ serverSequence: _s, _id: _i, ...rest }) => rest);
export type LooseEvent = z.infer<typeof looseEventSchema>;

/** The Dart pre-checks on a REST body, before anything is stored (they only check that the key exists). */
export function hasEventIdKey(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, '_event_id')
  );
}

/**
 * `POST /api/events/{r}/batch` body checks of the Dart server: `events` must be an array
 * (`invalidEventsArray`), and every element must have `_event_id` (`batchMissingEventId`) — otherwise
 * nothing is stored.
 */
export function checkDartBatchBody(
  body: unknown,
): { ok: true; events: unknown[] } | { ok: false; error: 'invalidEventsArray' | 'batchMissingEventId' } {
  const events =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['events'] : undefined;
  if (!Array.isArray(events)) return { ok: false, error: 'invalidEventsArray' };
  if (!events.every(hasEventIdKey)) return { ok: false, error: 'batchMissingEventId' };
  return { ok: true, events };
}
