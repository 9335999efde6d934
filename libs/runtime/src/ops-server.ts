import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
}

/**
 * `/healthz` (the process runs), `/readyz` (every dependency answers) and `/metrics` (Prometheus).
 * The gateway mounts the same handler in its own HTTP server.
 */
export function opsHandler(registry: Registry, checks: readonly ReadinessCheck[]) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return true;
    }
    if (path === '/readyz') {
      const results = await Promise.all(
        checks.map(async (c) => [c.name, await Promise.resolve(c.check()).catch(() => false)] as const),
      );
      const ready = results.every(([, ok]) => ok);
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) }));
      return true;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      return true;
    }
    return false;
  };
}

type OpsRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * A small HTTP server with only the ops endpoints (the gateway's when OPS_PORT is set); `extra` serves
 * operator actions that must never be on a public port (the gateway's `/drain`).
 */
export async function startOpsServer(
  port: number,
  registry: Registry,
  checks: readonly ReadinessCheck[],
  host = '0.0.0.0',
  extra?: OpsRoute,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const handle = opsHandler(registry, checks);
  const server = createServer((req, res) => {
    void (async () => (await handle(req, res)) || (extra !== undefined && (await extra(req, res))))().then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      () => {
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
