import { claimAllows } from '@lfsync/contracts';
import { sendJson } from '../http/http-utils.ts';
import type { RestRoutesOptions } from './rest-routes.ts';
import type { RouteRequest } from './route-table.ts';

/**
 * `GET /api/health`, open to anyone: the Dart server's keys. `mongodb` names the store whatever it is (the
 * embedded mode's LMDB store answers under it too): `connected` while it answers.
 */
export async function health(options: RestRoutesOptions, { res }: RouteRequest): Promise<void> {
  const reachable = await options.store.ping().catch(() => false);
  sendJson(res, 200, {
    status: 'ok',
    timestamp: new Date().toISOString(),
    mongodb: reachable ? 'connected' : 'disconnected',
    activeConnections: options.activeConnections(),
  });
}

/**
 * `GET /api/repositories`: those the caller may read, as `{name, eventCount, maxSequence}` plus `count`.
 * Our logs are complete and gapless, so a repository's event count is its head.
 */
export async function repositories({ store }: RestRoutesOptions, request: RouteRequest): Promise<void> {
  const { claim } = await request.authenticate();
  const names = (await store.repositories()).filter((r) => claimAllows(claim.read, r));
  const heads = await Promise.all(names.map((name) => store.head(name)));
  const list = names.map((name, i) => ({ name, eventCount: heads[i], maxSequence: heads[i] }));
  sendJson(request.res, 200, { repositories: list, count: list.length });
}
