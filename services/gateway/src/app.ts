import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '@lfsync/ports';
import { startOpsServer, type Logger, type ReadinessCheck } from '@lfsync/runtime';
import { compatStartupWarnings } from './compat/compat-config.ts';
import type { GatewayConfig } from './config.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { connectGatewayAdapters, type GatewayAdapters } from './wiring/adapters.ts';
import { firstOf, startAdminDashboard, type OpsRoute } from './wiring/admin-dashboard.ts';
import { createAuth } from './wiring/auth.ts';
import { startCommitIntake } from './wiring/commit-intake.ts';
import { startHeartbeat } from './wiring/heartbeat.ts';
import { createHttp } from './wiring/http.ts';
import { drainRoute } from './wiring/drain-route.ts';
import { drainGateway, stopGateway } from './wiring/stop.ts';
import { createSyncServices } from './wiring/sync-services.ts';

export { connectGatewayAdapters, type GatewayAdapters } from './wiring/adapters.ts';

export interface Gateway {
  readonly port: number;
  readonly url: string;
  /** The port of `/metrics`, `/readyz` and `/healthz` when OPS_PORT is set; otherwise they are on `port`. */
  readonly opsPort: number | undefined;
  /** Stops accepting, closes every session with 1001, then releases NATS and MongoDB. `POST /drain` on the
   * ops port does the first two without stopping the process. */
  stop(): Promise<void>;
}

/** Wires the gateway and starts listening on `config.PORT` (0 = any free port). */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  adapters?: GatewayAdapters,
  clock: Clock = systemClock,
): Promise<Gateway> {
  const log = logger.child({ component: 'gateway' });
  const metrics = createGatewayMetrics();
  const auth = await createAuth(config);
  const connection = adapters ?? (await connectGatewayAdapters(config, log));
  const services = createSyncServices(config, connection, metrics, clock, log);
  const unsubscribe = startCommitIntake(connection, services, metrics, clock, log);
  const { readiness } = connection;
  const admin = startAdminDashboard({
    config,
    auth,
    services,
    adapters: connection,
    metrics,
    clock,
    logger: log,
  });
  const http = { config, auth, services, readiness, metrics, clock, logger: log, admin: admin.route };
  const { server, wss } = createHttp(http);
  const stopHeartbeat = startHeartbeat(services.sessions, config.PING_INTERVAL_MS, clock);
  services.presence.start();

  // Only on the ops port: the public port must never let a client drain the gateway.
  const drain = drainRoute(() => drainGateway({ server, wss, sessions: services.sessions, clock }));
  const opsReadiness = [...readiness, { name: 'accepting', check: () => !drain.drained() }];
  const ops = await startGatewayOps(config, metrics, opsReadiness, firstOf(drain.route, admin.route));
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  log.info({ port, opsPort: ops?.port, devAuth: config.DEV_AUTH }, 'gateway listening');
  for (const warning of compatStartupWarnings(config)) log.warn(warning.data, warning.message);
  const release = {
    beforeClose: stopHeartbeat,
    async afterClose() {
      admin.stop();
      services.presence.stop();
      unsubscribe();
      await connection.close();
      await ops?.close();
    },
  };
  return {
    port,
    url: `ws://127.0.0.1:${port}/sync`,
    opsPort: ops?.port,
    stop: () => stopGateway({ server, wss, sessions: services.sessions, clock, release }),
  };
}

/** The ops server of OPS_PORT (`/metrics`, `/readyz`, `/healthz`, `/drain`, `/admin`); none without it. */
async function startGatewayOps(
  config: GatewayConfig,
  metrics: GatewayMetrics,
  readiness: ReadinessCheck[],
  routes: OpsRoute,
): Promise<Awaited<ReturnType<typeof startOpsServer>> | undefined> {
  if (config.OPS_PORT === undefined) return undefined;
  return startOpsServer(config.OPS_PORT, metrics.registry, readiness, config.HOST, routes);
}
