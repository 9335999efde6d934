import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@lfsync/contracts';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { reportFailure } from '../report-failure.ts';
import type { ClientAddress } from './client-address.ts';
import { readJsonBody, requestUrl, sendError, sendJson } from './http-utils.ts';

export interface UpgradeLimits {
  allowedOrigins: readonly string[];
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** The address the per-IP limit counts (the client's, behind trusted proxies). */
  clientAddress: ClientAddress;
  /** Hard cap the ws library enforces (it closes with 1009 beyond it); frames below it get a clear error. */
  hardMaxFrameBytes: number;
}

export interface GatewayRoutes {
  /** Undefined when the ops endpoints have their own port (OPS_PORT). */
  ops: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  rest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  devToken: DevTokenIssuer | undefined;
  staticFiles: ((pathname: string, res: ServerResponse) => Promise<void>) | undefined;
  /** `socket` is the connection `ws` runs on. */
  onConnection(ws: WebSocket, req: IncomingMessage, socket: Duplex): void;
}

type DevTokenIssuer = (username: string) => Promise<{ token: string; expiresAt: number }>;

// `/` too: the Dart server and its tests upgrade on the root path.
const WS_PATHS = new Set(['/sync', '/ws', '/']);

/** One HTTP server: WebSocket upgrades on /sync, /ws and /, REST under /api, ops endpoints, the web app. */
export function createGatewayServer(
  limits: UpgradeLimits,
  routes: GatewayRoutes,
  logger: Logger,
): { server: Server; wss: WebSocketServer } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.hardMaxFrameBytes,
    perMessageDeflate: false,
  });
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const error = reportFailure(logger, err, 'http', { method: req.method, path: req.url });
      if (!res.headersSent) sendError(res, error);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (routes.ops !== undefined && (await routes.ops(req, res))) return;
    if (url.pathname.startsWith('/api/')) return routes.rest(req, res, url);
    if (url.pathname === '/auth/dev-token' && routes.devToken !== undefined)
      return issueDevToken(req, res, routes.devToken);
    if (routes.staticFiles !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      return routes.staticFiles(url.pathname, res);
    }
    sendError(res, new AppError('NOT_FOUND', 'not found'));
  }

  server.on('upgrade', upgradeHandler(wss, limits, routes));

  return { server, wss };
}

/** Upgrades to WebSocket on the sync paths, within the origin and connection limits. */
function upgradeHandler(wss: WebSocketServer, limits: UpgradeLimits, routes: GatewayRoutes) {
  const perIp = new Map<string, number>();
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = URL.canParse(req.url ?? '/', 'http://gateway')
      ? new URL(req.url ?? '/', 'http://gateway').pathname
      : undefined;
    if (path === undefined || !WS_PATHS.has(path)) return refuse(socket, 404, 'Not Found');
    const origin = req.headers.origin;
    if (origin !== undefined && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) {
      return refuse(socket, 403, 'Forbidden');
    }
    const ip = limits.clientAddress(req);
    if (ip === undefined) return refuse(socket, 400, 'Bad Request');
    if (wss.clients.size >= limits.maxConnections || (perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) {
      return refuse(socket, 503, 'Service Unavailable');
    }
    countWhileOpen(perIp, ip, socket);
    wss.handleUpgrade(req, socket, head, (ws) => routes.onConnection(ws, req, socket));
  };
}

/**
 * Counts the connection against its address until the socket closes. A function of its own so that the
 * close listener, which lives as long as the connection, holds only the address and not the upgrade
 * request (closures of one function share their captured variables).
 */
function countWhileOpen(perIp: Map<string, number>, ip: string, socket: Duplex): void {
  perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
  socket.once('close', () => {
    const left = (perIp.get(ip) ?? 1) - 1;
    if (left <= 0) perIp.delete(ip);
    else perIp.set(ip, left);
  });
}

async function issueDevToken(
  req: IncomingMessage,
  res: ServerResponse,
  issue: DevTokenIssuer,
): Promise<void> {
  if (req.method !== 'POST') return sendError(res, new AppError('NOT_FOUND', 'use POST'));
  const body = (await readJsonBody(req, 4096)) as { username?: unknown } | null;
  const username = typeof body?.username === 'string' ? body.username.trim() : '';
  if (username === '' || username.length > 64)
    throw new AppError('INVALID_MESSAGE', 'username must be 1–64 characters');
  sendJson(res, 200, await issue(username));
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
