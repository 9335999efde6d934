import { join, resolve } from 'node:path';
import { ServerProcess, freePort } from '@lfsync/testkit';
import { BENCH_SERVICE_ENV } from '../scenarios/context.ts';
import { BENCH_JWT_SECRET } from './tokens.ts';

const root = resolve(import.meta.dirname, '../../..');

export interface EmbeddedProcess {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** The embedded product (`npm start` without NATS/MongoDB) in its own process, on the LMDB data in `dataDir`. */
export async function startEmbeddedProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<EmbeddedProcess> {
  const port = await freePort();
  const server = new ServerProcess({
    name: 'embedded',
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'apps/server/src/main.ts')],
    port,
    env: {
      ...BENCH_SERVICE_ENV,
      NATS_URL: '',
      MONGO_URL: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: BENCH_JWT_SECRET,
      DEV_AUTH: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    },
    startTimeoutMs: 90_000,
  });
  await server.start();
  return { url: `ws://127.0.0.1:${port}/sync`, pid: server.pid, stop: () => server.stop() };
}
