import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbEnvironment, LmdbEventIndex, LmdbEventStore, LmdbSequenceLog } from '@lfsync/embedded';
import { gatewayConfigSchema } from '@lfsync/gateway';
import type { EventIndex, EventStore, SequenceLog } from '@lfsync/ports';
import { startEmbedded } from '@lfsync/server';
import { captureLogs } from '@lfsync/testkit';
import { onTestFinished } from 'vitest';
import { TEST_JWT_SECRET } from '../tokens.ts';
import type { AdapterSet, OpenAdapter } from './harness.ts';

function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-conformance-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens `create` on an LMDB environment in a fresh directory; a reopen closes it and opens it again. */
function onLmdb<T>(create: (env: LmdbEnvironment) => T): OpenAdapter<T> {
  return () => {
    const dir = temporaryDirectory();
    let env = LmdbEnvironment.open(dir);
    onTestFinished(() => env.close());
    let adapter = create(env);
    return Promise.resolve({
      get adapter() {
        return adapter;
      },
      async reopen() {
        await env.close();
        env = LmdbEnvironment.open(dir);
        adapter = create(env);
        return adapter;
      },
    });
  };
}

/** The embedded adapters: LMDB log, index and store, in-process bus, everything in one process. */
export const embeddedAdapters: AdapterSet<SequenceLog, EventIndex, EventStore> = {
  name: 'embedded (LMDB, in-process bus)',
  sequenceLog: onLmdb((env) => new LmdbSequenceLog(env)),
  eventIndex: onLmdb((env) => new LmdbEventIndex(env)),
  eventStore: onLmdb((env) => new LmdbEventStore(env)),
  pipeline: () => {
    const dataDir = temporaryDirectory();
    const gatewayConfig = gatewayConfigSchema.parse({
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: TEST_JWT_SECRET,
    });
    const logger = captureLogs('warn').logger;
    return Promise.resolve({
      async start() {
        const embedded = await startEmbedded({ dataDir, gatewayConfig, logger });
        let stopped = false;
        return {
          url: embedded.url,
          async stop() {
            if (stopped) return;
            stopped = true;
            await embedded.stop();
          },
        };
      },
    });
  },
};
