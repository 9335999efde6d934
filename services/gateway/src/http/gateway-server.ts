import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '@lfsync/contracts';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { readJsonBody, sendError, sendJson } from './http-utils.ts';

export interface UpgradeLimits {
  allowedOrigins: readonly string[];
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Hard cap the ws library enforces (it closes with 1009 beyond it); frames below it get a clear error. */
  hardMaxFrameBytes: number;
}

export interface GatewayRoutes {
  ops(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  rest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  devToken: ((username: string) => Promise<{ token: string; expiresAt: number }>) | undefined;
  staticFiles: ((pathname: string, res: ServerResponse) => Promise<void>) | undefined;
  onConnection(ws: WebSocket, req: IncomingMessage): void;
}

const WS_PATHS = new Set(['/sync', '/ws']);

/** One HTTP server: WebSocket upgrades on /sync and /ws, REST under /api, ops endpoints, the web app. */
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
  const perIp = new Map<string, number>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, 'http request failed');
      if (!res.headersSent) sendError(res, 'INTERNAL', 'internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (await routes.ops(req, res)) return;
    if (url.pathname.startsWith('/api/')) return routes.rest(req, res, url);
    if (url.pathname === '/auth/dev-token' && routes.devToken !== undefined) {
      if (req.method !== 'POST') return sendError(res, 'NOT_FOUND', 'use POST');
      try {
        const body = (await readJsonBody(req, 4096)) as { username?: unknown } | null;
        const username = typeof body?.username === 'string' ? body.username.trim() : '';
        if (username === '' || username.length > 64)
          throw new AppError('INVALID_MESSAGE', 'username must be 1–64 characters');
        return sendJson(res, 200, await routes.devToken(username));
      } catch (err) {
        return sendError(
          res,
          err instanceof AppError ? err.code : 'INTERNAL',
          err instanceof AppError ? err.message : 'failed',
        );
      }
    }
    if (routes.staticFiles !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      return routes.staticFiles(url.pathname, res);
    }
    sendError(res, 'NOT_FOUND', 'not found');
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (!WS_PATHS.has(path)) return refuse(socket, 404, 'Not Found');
    const origin = req.headers.origin;
    if (origin !== undefined && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) {
      return refuse(socket, 403, 'Forbidden');
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    if (wss.clients.size >= limits.maxConnections || (perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) {
      return refuse(socket, 503, 'Service Unavailable');
    }
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    socket.once('close', () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
    });
    wss.handleUpgrade(req, socket, head, (ws) => routes.onConnection(ws, req));
  });

  return { server, wss };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
