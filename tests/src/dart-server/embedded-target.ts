// The one import of the embedded mode; it moves to apps/server (change this line only).
import { startEmbedded, type EmbeddedOptions } from '@lfsync/server';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '@lfsync/gateway';

/** The embedded one-process mode (LMDB) on a free port, with its data in a fresh temporary directory. */
export async function startEmbeddedServer(
  gatewayConfig: GatewayConfig,
  logger: EmbeddedOptions['logger'],
): Promise<{ port: number; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lfs-dart-'));
  const embedded = await startEmbedded({ dataDir, gatewayConfig, logger });
  return {
    port: embedded.port,
    async stop() {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
