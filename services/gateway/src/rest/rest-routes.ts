import type { EventReader } from '@lfsync/ports';
import type { GatewayMetrics } from '../metrics.ts';
import type { PushService } from '../sync/push-service.ts';
import { health, repositories } from './info-routes.ts';
import { byDataId, byEventId, readEvents, readSnapshot } from './read-routes.ts';
import type { Route } from './route-table.ts';
import { pushBatch, pushOne } from './write-routes.ts';

export interface RestRoutesOptions {
  push: PushService;
  store: EventReader;
  metrics: GatewayMetrics;
  maxBodyBytes: number;
  pageSize: number;
  /** `log`: the complete log after `seq`; `dart`: the Dart server's view (latest per `_data_id`). */
  listView: 'log' | 'dart';
  /** Under the `dart` view: repositories listed newest first, without grouping. */
  newestFirstRepositories: readonly string[];
  /** Open WebSocket connections, for the health answer. */
  activeConnections(): number;
}

/**
 * The REST endpoints of docs/protocol.md, as a table. Order matters where patterns overlap:
 * `POST …/batch` is a batch, `GET …/batch` an event-id lookup, as in the Dart server.
 */
export function restRoutes(options: RestRoutesOptions): Route[] {
  return [
    { method: 'GET', path: '/api/health', handle: (r) => health(options, r) },
    { method: 'GET', path: '/api/repositories', handle: (r) => repositories(options, r) },
    { method: 'POST', path: '/api/events/:repository', handle: (r) => pushOne(options, r) },
    { method: 'GET', path: '/api/events/:repository', handle: (r) => readEvents(options, r) },
    { method: 'POST', path: '/api/events/:repository/batch', handle: (r) => pushBatch(options, r) },
    { method: 'GET', path: '/api/events/:repository/:eventId', handle: (r) => byEventId(options, r) },
    { method: 'GET', path: '/api/events/:repository/byDataId/:dataId', handle: (r) => byDataId(options, r) },
    { method: 'GET', path: '/api/snapshot/:repository', handle: (r) => readSnapshot(options, r) },
  ];
}
