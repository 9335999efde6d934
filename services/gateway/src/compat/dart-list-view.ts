import { matchesRepository } from './compat-config.ts';

/** The Dart server's default `limit` per repository: 5 for the newest-first logs, 100 otherwise. */
const DART_NEWEST_FIRST_DEFAULT_LIMIT = 5;
const DART_DEFAULT_LIMIT = 100;

/** What the Dart view needs of a stored event; `T` carries the rest (e.g. its JSON text). */
export interface ViewEvent {
  sequence: number;
  eventId: string;
  /** `_data_id` when the event has a string one. */
  dataId: string | undefined;
}

export interface DartListQuery {
  /** Only events with a greater sequence; undefined = no filter. */
  seq: number | undefined;
  /** ≤ 0 = unlimited. */
  limit: number;
}

/**
 * `?seq=` and `?limit=` as the Dart server reads them: an integer (Dart `int.tryParse`: optional sign,
 * decimal or `0x` hex); anything else — missing, `abc`, `5.0` — is no filter / the repository's default.
 * `afterSequence` is not read, as in the Dart server.
 */
export function parseDartListQuery(params: URLSearchParams, newestFirst: boolean): DartListQuery {
  return {
    seq: parseDartInt(params.get('seq')),
    limit:
      parseDartInt(params.get('limit')) ??
      (newestFirst ? DART_NEWEST_FIRST_DEFAULT_LIMIT : DART_DEFAULT_LIMIT),
  };
}

export function parseDartInt(text: string | null): number | undefined {
  if (text === null) return undefined;
  const match = /^([+-]?)(?:(\d+)|0[xX]([0-9a-fA-F]+))$/.exec(text.trim());
  if (match === null) return undefined;
  const value = match[2] === undefined ? Number.parseInt(match[3] ?? '', 16) : Number(match[2]);
  if (!Number.isSafeInteger(value)) return undefined;
  return match[1] === '-' ? -value : value;
}

export function isNewestFirst(newestFirstRepositories: readonly string[], repository: string): boolean {
  return matchesRepository(newestFirstRepositories, repository);
}

/**
 * The Dart server's `GET /api/events/{repository}` selection, over a repository's stored events in
 * ascending sequence order (all of them after `seq`, or more; those at or below `seq` are skipped here).
 *
 * - newest first (`counter_log`): the newest `limit` events after `seq`, descending, no grouping.
 * - otherwise: after `seq`, the latest event per `_data_id` (an event without one is its own group,
 *   keyed by `_event_id`), ascending, the first `limit` of them — the *oldest* groups when cut.
 *   Grouping only sees the window after `seq`, as in the Dart server.
 */
export function dartListView<T extends ViewEvent>(
  events: readonly T[],
  query: DartListQuery,
  newestFirst: boolean,
): T[] {
  const after = query.seq === undefined ? events : events.filter((e) => e.sequence > (query.seq ?? 0));
  const limited = (list: T[]) => (query.limit > 0 ? list.slice(0, query.limit) : list);
  if (newestFirst) return limited([...after].reverse());
  const latest = new Map<string, T>();
  for (const event of after) {
    // Keys of the two kinds cannot collide with each other.
    const key = event.dataId === undefined ? `e:${event.eventId}` : `d:${event.dataId}`;
    const seen = latest.get(key);
    if (seen === undefined || seen.sequence < event.sequence) latest.set(key, event);
  }
  return limited([...latest.values()].sort((a, b) => a.sequence - b.sequence));
}

/** The Dart `hasMore`: the page is full (not a check for more data); always true when `limit` ≤ 0. */
export function dartHasMore(count: number, limit: number): boolean {
  return count >= limit;
}

/** A stored event's JSON text as a `ViewEvent`, keeping the text for the response. */
export function viewEventOf(stored: { sequence: number; json: string }): ViewEvent & { json: string } {
  const parsed = JSON.parse(stored.json) as Record<string, unknown>;
  const eventId = parsed['_event_id'];
  const dataId = parsed['_data_id'];
  return {
    sequence: stored.sequence,
    eventId: typeof eventId === 'string' ? eventId : String(eventId),
    dataId: typeof dataId === 'string' ? dataId : undefined,
    json: stored.json,
  };
}
