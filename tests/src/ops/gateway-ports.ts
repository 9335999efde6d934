import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayConfigSchema, startGateway, type Gateway, type GatewayConfig } from '@lfsync/gateway';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { createProxyServer } from 'http-proxy-3';
import { inject, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { TEST_JWT_SECRET } from '../tokens.ts';

/** A gateway alone (no sequencer or persister: these tests stop at the upgrade and the ops endpoints). */
export async function startLoneGateway(env: Partial<Record<keyof GatewayConfig, string>>): Promise<Gateway> {
  const config = gatewayConfigSchema.parse({
    NATS_URL: inject('natsUrl'),
    MONGO_URL: inject('mongoUrl'),
    MONGO_DB: uniqueName('db'),
    BUS_PREFIX: uniqueName('p'),
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
  const gateway = await startGateway(config, captureLogs('warn').logger);
  onTestFinished(() => gateway.stop());
  return gateway;
}

/** A reverse proxy on 127.0.0.1 that forwards HTTP and WebSocket upgrades and appends X-Forwarded-For. */
export async function startProxy(targetPort: number): Promise<number> {
  const proxy = createProxyServer({ target: `http://127.0.0.1:${targetPort}`, ws: true, xfwd: true });
  const server: Server = createServer((req, res) => proxy.web(req, res));
  server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    proxy.close();
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Opens a WebSocket from a given loopback address (127.0.0.2, 127.0.0.3, … are distinct clients on
 * Linux) and resolves with `open` or the HTTP status that refused the upgrade.
 */
export function connectFrom(
  port: number,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<'open' | number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/sync`, { localAddress, headers });
  onTestFinished(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}
