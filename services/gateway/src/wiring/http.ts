import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '@lfsync/ports';
import { opsHandler, type ReadinessCheck } from '@lfsync/runtime';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { GatewayConfig } from '../config.ts';
import { clientAddress } from '../http/client-address.ts';
import { createGatewayServer } from '../http/gateway-server.ts';
import { staticFiles } from '../http/static-files.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { restApi } from '../rest/rest-api.ts';
import { SessionPresence, type PresenceLimits } from '../presence/session-presence.ts';
import { Session, type SessionContext, type SessionLimits } from '../ws/session.ts';
import { firstOf, type OpsRoute } from './admin-dashboard.ts';
import type { GatewayAuth } from './auth.ts';
import type { SyncServices } from './sync-services.ts';

export interface HttpWiring {
  config: GatewayConfig;
  auth: GatewayAuth;
  services: SyncServices;
  readiness: ReadinessCheck[];
  metrics: GatewayMetrics;
  clock: Clock;
  logger: Logger;
  /** The admin dashboard, served here with the ops endpoints when OPS_PORT does not give them their own port. */
  admin: OpsRoute;
}

/**
 * The HTTP server: REST, the ops endpoints (unless OPS_PORT gives them their own server), dev tokens,
 * the web app, and a Session per WebSocket.
 */
export function createHttp(wiring: HttpWiring): { server: Server; wss: WebSocketServer } {
  const { config, auth, services, metrics, logger } = wiring;
  const limits = {
    allowedOrigins: config.ALLOWED_ORIGINS,
    maxConnections: config.MAX_CONNECTIONS,
    maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
    clientAddress: clientAddress(config.TRUSTED_PROXIES),
    hardMaxFrameBytes: config.MAX_FRAME_BYTES * 4,
  };
  const rest = restApi({
    authenticate: auth.authenticate,
    push: services.push,
    store: services.store,
    metrics,
    logger,
    maxBodyBytes: config.MAX_FRAME_BYTES,
    pageSize: config.CATCHUP_PAGE_SIZE,
    listView: config.REST_LIST_VIEW,
    newestFirstRepositories: config.REST_NEWEST_FIRST_REPOSITORIES,
    activeConnections: () => services.sessions.size,
  });
  const routes = {
    ops:
      config.OPS_PORT === undefined
        ? firstOf(opsHandler(metrics.registry, wiring.readiness), wiring.admin)
        : undefined,
    rest,
    devToken: auth.devToken,
    staticFiles: config.STATIC_DIR === undefined ? undefined : staticFiles(config.STATIC_DIR),
    onConnection: sessionOpener(wiring),
  };
  return createGatewayServer(limits, routes, logger);
}

/**
 * Opens a Session per WebSocket. The context (limits, callbacks) is built once and shared by every
 * session: per-session objects and closures are what a gateway with many sessions pays for.
 */
function sessionOpener(wiring: HttpWiring): (ws: WebSocket, req: IncomingMessage, socket: Duplex) => void {
  const { config, services, metrics, clock } = wiring;
  const { registry, sessions } = services;
  const presenceLimits: PresenceLimits = {
    maxMembers: config.PRESENCE_MAX_MEMBERS,
    metaMaxBytes: config.PRESENCE_META_MAX_BYTES,
    updatesPerSec: config.PRESENCE_UPDATES_PER_SEC,
  };
  const context: SessionContext = {
    limits: sessionLimits(config),
    authenticate: wiring.auth.authenticate,
    push: services.push,
    store: services.store,
    logger: wiring.logger,
    metrics,
    clock,
    registry,
    presence: (s, socket) =>
      new SessionPresence(
        services.presence,
        { sessionId: s.id, send: (frame) => socket.send(frame) },
        presenceLimits,
        clock,
      ),
    onAuthenticated: (s, authenticated) => {
      registry.set(s, authenticated);
      metrics.sessions.set(registry.size);
    },
    onClosed: (s) => {
      sessions.delete(s);
      metrics.connections.set(sessions.size);
    },
  };
  return (ws, _req, socket) => {
    sessions.add(new Session(randomUUID(), ws, socket, context));
    metrics.connections.set(sessions.size);
  };
}

function sessionLimits(config: GatewayConfig): SessionLimits {
  return {
    authTimeoutMs: config.AUTH_TIMEOUT_MS,
    maxFrameBytes: config.MAX_FRAME_BYTES,
    maxPendingAcks: config.MAX_PENDING_ACKS,
    ratePerSec: config.RATE_LIMIT_PER_SEC,
    rateBurst: config.RATE_LIMIT_BURST,
    maxOutboundBytes: config.MAX_OUTBOUND_BYTES,
    slowConsumerTimeoutMs: config.SLOW_CONSUMER_TIMEOUT_MS,
    catchUpPageSize: config.CATCHUP_PAGE_SIZE,
    invalidFrameLimit: config.INVALID_FRAME_LIMIT,
    heartbeat: config.HEARTBEAT,
    pingIntervalMs: config.PING_INTERVAL_MS,
    nagle: config.TCP_NAGLE,
    maxSubscriptions: config.MAX_SUBSCRIPTIONS_PER_SESSION,
    implicitAll: config.IMPLICIT_SUBSCRIPTION === 'all',
  };
}
