import { AppError, restEventsQuerySchema, restSnapshotQuerySchema } from '@lfsync/contracts';
import type { EntityEvent, StoredEvent } from '@lfsync/ports';
import {
  dartHasMore,
  dartListView,
  isNewestFirst,
  parseDartListQuery,
  viewEventOf,
} from '../compat/dart-list-view.ts';
import { sendJson } from '../http/http-utils.ts';
import { permittedRepository } from './permitted-repository.ts';
import type { RestRoutesOptions } from './rest-routes.ts';
import type { RouteRequest } from './route-table.ts';

/**
 * `GET /api/events/{r}?seq=&limit=`: `{repository, events, count, hasMore}`. The `log` view pages through
 * the complete log after `seq`; `hasMore` says the page is full (ask again after its last sequence).
 */
export async function readEvents(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  if (options.listView === 'dart') return readDartView(options, request, repository);
  const query = restEventsQuerySchema.safeParse(Object.fromEntries(request.url.searchParams));
  if (!query.success) throw new AppError('INVALID_MESSAGE', 'seq and limit must be non-negative integers');
  const limit = Math.min(query.data.limit ?? options.pageSize, options.pageSize);
  const events = await options.store.readAfter(repository, query.data.seq, limit);
  sendJson(request.res, 200, listBody(repository, events, events.length === limit));
}

/**
 * The Dart server's view (`REST_LIST_VIEW=dart`): the latest event per `_data_id` after `seq`, or the newest
 * `limit` events first for the newest-first repositories. It groups over every event after `seq`, so it reads
 * all of them: meant for the small repositories of unchanged Flutter apps.
 */
async function readDartView(
  options: RestRoutesOptions,
  request: RouteRequest,
  repository: string,
): Promise<void> {
  const newestFirst = isNewestFirst(options.newestFirstRepositories, repository);
  const query = parseDartListQuery(request.url.searchParams, newestFirst);
  const window: StoredEvent[] = [];
  for await (const page of options.store.scanAfter(repository, Math.max(0, query.seq ?? 0), options.pageSize))
    window.push(...page);
  const events = dartListView(window.map(viewEventOf), query, newestFirst);
  sendJson(request.res, 200, listBody(repository, events, dartHasMore(events.length, query.limit)));
}

/**
 * `GET /api/snapshot/{r}?at=&after=&limit=`: one page of the state at S (`at`, or the head): the latest event
 * of each entity, in entity order. The next page is asked with the same `at` and `after` = `next`; then the
 * log after S with `GET /api/events/{r}?seq=S`.
 */
export async function readSnapshot(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  const query = restSnapshotQuerySchema.safeParse(Object.fromEntries(request.url.searchParams));
  if (!query.success)
    throw new AppError('INVALID_MESSAGE', 'at and limit must be non-negative integers, after an entity id');
  const head = await options.store.head(repository);
  const at = query.data.at ?? head;
  if (at > head) throw new AppError('INVALID_MESSAGE', `at ${at} is beyond the committed head ${head}`);
  const limit = Math.min(query.data.limit ?? options.pageSize, options.pageSize);
  let events: EntityEvent[] = [];
  const scanOptions = { afterDataId: query.data.after, pageSize: limit };
  for await (const page of options.store.scanLatestByDataId(repository, at, scanOptions)) {
    events = page;
    break;
  }
  const hasMore = events.length === limit;
  const next = hasMore ? events.at(-1)?.dataId : undefined;
  sendJson(request.res, 200, listBody(repository, events, hasMore, { sequence: at, next }));
}

/** `GET /api/events/{r}/{eventId}`: `{repository, event}`, or 404 `Event not found`. */
export async function byEventId(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  const event = await options.store.findByEventId(repository, request.params['eventId'] ?? '');
  found(options, request, repository, event);
}

/** `GET /api/events/{r}/byDataId/{dataId}`: the entity's latest event, as by event id. */
export async function byDataId(options: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const repository = await permittedRepository(request, 'read');
  const event = await options.store.latestByDataId(repository, request.params['dataId'] ?? '');
  found(options, request, repository, event);
}

function found(
  options: RestRoutesOptions,
  { res }: RouteRequest,
  repository: string,
  event: StoredEvent | undefined,
): void {
  if (event === undefined) throw new AppError('NOT_FOUND', 'Event not found');
  const json = options.listView === 'dart' ? withDataAlias(event.json) : event.json;
  sendJson(res, 200, `{"repository":${JSON.stringify(repository)},"event":${json}}`);
}

/** Stored events are JSON text: spliced in, not parsed and serialised again. `extra` fields come last. */
function listBody(
  repository: string,
  events: ReadonlyArray<{ json: string }>,
  hasMore: boolean,
  extra: Record<string, unknown> = {},
): string {
  const json = events.map((e) => e.json).join(',');
  const tail = JSON.stringify(extra).slice(1, -1);
  return `{"repository":${JSON.stringify(repository)},"events":[${json}],"count":${events.length},"hasMore":${hasMore}${tail === '' ? '' : `,${tail}`}}`;
}

/**
 * The upstream Flutter apps read a user's entity as `event.data` at sign-in, while their client library
 * sends it as `_data`: under the Dart view the entity is given under both names.
 */
function withDataAlias(eventJson: string): string {
  const event = JSON.parse(eventJson) as Record<string, unknown>;
  const data = event['_data'];
  if (Object.hasOwn(event, 'data') || typeof data !== 'object' || data === null) return eventJson;
  return JSON.stringify({ ...event, data });
}
