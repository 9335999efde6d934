import type { ErrorCode } from '@lfsync/contracts';
import { dartHasMore } from './dart-list-view.ts';
import { compatErrorReply, type CompatErrorBody } from './dart-errors.ts';

/**
 * REST bodies shaped as the Dart server's (`server/websocket_server.dart`). Stored events are JSON text
 * (as the store keeps them), spliced in without being parsed and serialised again. Fields of ours come
 * after the Dart ones; the Dart clients ignore them.
 */

/** `GET /api/events/{r}/{eventId}` and `…/byDataId/{dataId}`: 200. */
export function singleEventBody(repository: string, eventJson: string): string {
  return `{"repository":${JSON.stringify(repository)},"event":${eventJson}}`;
}

/** `GET /api/events/{r}`: 200; `hasMore` by the Dart rule unless the caller knows better (`log` view). */
export function eventListBody(
  repository: string,
  eventJsons: readonly string[],
  limit: number,
  hasMore: boolean = dartHasMore(eventJsons.length, limit),
): string {
  return `{"repository":${JSON.stringify(repository)},"events":[${eventJsons.join(',')}],"count":${eventJsons.length},"hasMore":${hasMore}}`;
}

/** The part of a push outcome the REST answers need (structurally `PushOutcome` of the push service). */
export interface CompatPushOutcome {
  acked: ReadonlyArray<{ eventId: string; sequence: number; duplicate: boolean }>;
  rejected: ReadonlyArray<{ code: ErrorCode; message: string; eventIds: readonly string[] }>;
}

export interface CompatReply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * `POST /api/events/{r}`: 201 `{status: "success", repository, eventId}` (the same for a re-push of a
 * stored event), plus our `serverSequence`; a rejection is the error of the create route.
 */
export function createdReply(repository: string, outcome: CompatPushOutcome): CompatReply {
  const acked = outcome.acked[0];
  const rejection = outcome.rejected[0];
  if (acked === undefined || rejection !== undefined) {
    const { status, body } = compatErrorReply(
      'create',
      rejection?.code ?? 'INTERNAL',
      rejection?.message ?? 'nothing stored',
    );
    return { status, body: { ...body } };
  }
  return {
    status: 201,
    body: {
      status: 'success',
      repository,
      eventId: acked.eventId,
      serverSequence: acked.sequence,
      duplicate: acked.duplicate,
    },
  };
}

/**
 * `POST /api/events/{r}/batch`: 201 `{status: "success", repository, eventIds, count}` only when every
 * event is stored — the Flutter apps take a 201 as "all of them synced" and drop them from their queue.
 * If any event is refused the answer is that refusal's status, with what was stored (`eventIds`,
 * `sequences`) and what was not (`rejected`), so a retry of the whole batch is safe (idempotent).
 */
export function batchReply(repository: string, outcome: CompatPushOutcome): CompatReply {
  const eventIds = outcome.acked.map((r) => r.eventId);
  const sequences = Object.fromEntries(outcome.acked.map((r) => [r.eventId, r.sequence]));
  const rejection = outcome.rejected[0];
  if (rejection !== undefined) {
    const error: CompatErrorBody = compatErrorReply('batch', rejection.code, rejection.message).body;
    return {
      status: error.statusCode,
      body: { ...error, repository, eventIds, sequences, rejected: outcome.rejected },
    };
  }
  return {
    status: 201,
    body: { status: 'success', repository, eventIds, count: eventIds.length, sequences },
  };
}

/**
 * `GET /api/health`: the Dart keys the Dart tests require. `mongodb` is the name of the key whatever the
 * store is (the embedded mode reports its LMDB store under it): `connected` when the store answers.
 */
export function healthBody(options: {
  storeReachable: boolean;
  activeConnections: number;
  now: Date;
}): Record<string, unknown> {
  return {
    status: 'ok',
    timestamp: options.now.toISOString(),
    mongodb: options.storeReachable ? 'connected' : 'disconnected',
    activeConnections: options.activeConnections,
  };
}

/**
 * `GET /api/repositories`: `{repositories: [{name, eventCount, maxSequence}], count}`. Our logs are
 * complete and gapless, so a repository's event count is its head.
 */
export function repositoriesBody(repositories: ReadonlyArray<{ name: string; head: number }>): {
  repositories: Array<{ name: string; eventCount: number; maxSequence: number }>;
  count: number;
} {
  return {
    repositories: repositories.map((r) => ({ name: r.name, eventCount: r.head, maxSequence: r.head })),
    count: repositories.length,
  };
}

/**
 * Under the Dart view: an event that carries its entity in `_data` (as the Dart client library writes it)
 * also gets it as `data`, because the upstream apps read `event.data` when they look a user up at sign-in.
 * Events that already have `data` are returned unchanged.
 */
export function withDataAlias(eventJson: string): string {
  const event = JSON.parse(eventJson) as Record<string, unknown>;
  const data = event['_data'];
  if (Object.hasOwn(event, 'data') || typeof data !== 'object' || data === null) return eventJson;
  return JSON.stringify({ ...event, data });
}
