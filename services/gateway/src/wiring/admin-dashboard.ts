import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '@lfsync/ports';
import type { Logger } from 'pino';
import { adminRoutes } from '../admin/admin-routes.ts';
import { DashboardAggregator } from '../admin/dashboard-aggregator.ts';
import { reportGatewayStats } from '../admin/gateway-stats.ts';
import type { GatewayConfig } from '../config.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { GatewayAdapters } from './adapters.ts';
import type { GatewayAuth } from './auth.ts';
import type { SyncServices } from './sync-services.ts';

export type OpsRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface AdminDashboard {
  /** `/admin` and `/admin/stats`. */
  route: OpsRoute;
  stop(): void;
}

/**
 * Reports this gateway's stats on the bus and folds every service's reports (this one's included) into
 * the admin dashboard's view.
 */
export function startAdminDashboard(wiring: {
  config: GatewayConfig;
  auth: GatewayAuth;
  services: SyncServices;
  adapters: Pick<GatewayAdapters, 'stats'>;
  metrics: GatewayMetrics;
  clock: Clock;
  logger: Logger;
}): AdminDashboard {
  const { services, adapters, clock } = wiring;
  const aggregator = new DashboardAggregator();
  const unsubscribe = adapters.stats.subscribe((stats) => aggregator.receive(stats, clock.now()));
  const stopReports = reportGatewayStats({
    bus: adapters.stats,
    instance: services.presence.gatewayId,
    intervalMs: wiring.config.STATS_INTERVAL_MS,
    clock,
    logger: wiring.logger,
    connections: () => services.sessions.size,
    registry: services.registry,
    presence: services.presence,
    activity: services.activity,
    rejections: wiring.metrics.rejections,
  });
  return {
    route: adminRoutes(wiring.auth.verify, () => aggregator.view(clock.now())),
    stop() {
      stopReports();
      unsubscribe();
    },
  };
}

/** The first route that handles the request. */
export function firstOf(...routes: OpsRoute[]): OpsRoute {
  return async (req, res) => {
    for (const route of routes) if (await route(req, res)) return true;
    return false;
  };
}
