/**
 * `EVENT_VALIDATION=loose`: an event as the Dart server accepts it — any JSON object with an `_event_id`,
 * e.g. the Dart tests' `{"_event_id", "id", "username"}` — gets what our event needs before the usual
 * validation: `_operation` insert, `_created_at` the time it arrived, and, for an insert or update without
 * `_data`, its own top-level fields (those not starting with `_`) as `_data`. The fields stay where they
 * were too, so a Dart client reads the event back as it sent it, and every stored event still has the one
 * shape the SDK and the persister rely on. Anything else is left for validation to refuse.
 */
export function withDartDefaults(raw: unknown, nowMs: number): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const event = raw as Record<string, unknown>;
  const operation = event['_operation'] ?? 0;
  const isDelete = operation === 2 || operation === 'delete';
  return {
    ...event,
    _operation: operation,
    _created_at: event['_created_at'] ?? new Date(nowMs).toISOString(),
    ...(event['_data'] === undefined && !isDelete ? { _data: ownFields(event) } : {}),
  };
}

function ownFields(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).filter(([key]) => !key.startsWith('_') && key !== 'serverSequence'),
  );
}

/** The Dart pre-checks on a REST body, before anything is stored (they only check that the key exists). */
export function hasEventIdKey(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, '_event_id')
  );
}
