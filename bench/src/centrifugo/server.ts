import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess, freePort } from '@lfsync/testkit';

export interface CentrifugoServer {
  process: ServerProcess;
  /** HTTP base URL (the server API is under /api). */
  httpUrl: string;
  wsUrl: string;
  hmacSecret: string;
  apiKey: string;
  /** A channel in the `bench` namespace, which clients may subscribe to. */
  channel(name: string): string;
  stop(): Promise<void>;
}

/**
 * One Centrifugo node with the memory engine: JWT (HS256) connection tokens, a `bench` namespace clients
 * may subscribe to, and the HTTP server API with a key.
 */
export async function startCentrifugo(binary: string): Promise<CentrifugoServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lfs-centrifugo-'));
  const hmacSecret = randomBytes(24).toString('hex');
  const apiKey = randomBytes(16).toString('hex');
  const config = {
    http_server: { address: '127.0.0.1', port },
    log: { level: 'error' },
    engine: { type: 'memory' },
    client: { token: { hmac_secret_key: hmacSecret }, allowed_origins: ['*'] },
    channel: { namespaces: [{ name: 'bench', allow_subscribe_for_client: true }] },
    http_api: { key: apiKey },
    usage_stats: { disabled: true },
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const server = new ServerProcess({
    name: 'centrifugo',
    command: binary,
    args: ['--config', configFile],
    port,
    startTimeoutMs: 30_000,
  });
  await server.start();
  return {
    process: server,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    hmacSecret,
    apiKey,
    channel: (name) => `bench:${name}`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
