import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayConfigSchema } from '@lfsync/gateway';
import { WsTestClient, captureLogs } from '@lfsync/testkit';
import type { Logger } from 'pino';
import { expect, onTestFinished } from 'vitest';
import { startEmbedded, type Embedded, type EmbeddedOptions } from '../embedded.ts';

/** The embedded mode on `dataDir` (dev auth on, port 0), stopped when the test ends. */
export async function startTestEmbedded(
  dataDir: string,
  env: Record<string, string> = {},
  options: Partial<Omit<EmbeddedOptions, 'dataDir' | 'gatewayConfig'>> & { logger?: Logger } = {},
): Promise<Embedded> {
  const gatewayConfig = gatewayConfigSchema.parse({ PORT: '0', HOST: '127.0.0.1', DEV_AUTH: 'true', ...env });
  const embedded = await startEmbedded({
    logger: captureLogs('warn').logger,
    ...options,
    dataDir,
    gatewayConfig,
  });
  onTestFinished(() => embedded.stop());
  return embedded;
}

export async function devToken(embedded: Embedded): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${embedded.port}/auth/dev-token`, {
    method: 'POST',
    body: JSON.stringify({ username: 'tester' }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** A WebSocket client authenticated as the dev user, closed when the test ends. */
export async function devClient(embedded: Embedded): Promise<WsTestClient> {
  const ws = await WsTestClient.connect(embedded.url);
  onTestFinished(() => ws.close());
  expect((await ws.auth(await devToken(embedded))).type).toBe('auth_success');
  return ws;
}

export const event = (id: string) => ({
  _event_id: id,
  _operation: 0 as const,
  _created_at: new Date().toISOString(),
  _data: { id },
});

/** A fresh directory, removed when the test ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-embedded-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
