import { MAX_EVENT_ID_LENGTH } from '@lfsync/contracts';

/** The `_event_id`s of a frame's `event` or `events`, as far as they are readable (for error frames). */
export function eventIdsOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const events = Array.isArray(record['events']) ? (record['events'] as unknown[]) : [record['event']];
  return events
    .map((e) =>
      typeof e === 'object' && e !== null ? (e as Record<string, unknown>)['_event_id'] : undefined,
    )
    .filter((id): id is string => typeof id === 'string' && id.length <= MAX_EVENT_ID_LENGTH);
}
