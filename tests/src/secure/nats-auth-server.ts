import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerProcess, freePort, natsServerBinary } from '@lfsync/testkit';

export interface ConfiguredNats {
  url: string;
  port: number;
  dir: string;
  process: ServerProcess;
  dispose(): Promise<void>;
}

/**
 * A real nats-server (JetStream on) started from a config file: `body` is the rest of the config,
 * e.g. an `authorization` or `tls` block. Listens on loopback only.
 */
export async function startConfiguredNats(body: (dir: string) => string): Promise<ConfiguredNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lfs-nats-auth-'));
  const configFile = join(dir, 'nats.conf');
  writeFileSync(
    configFile,
    `listen: "127.0.0.1:${port}"\njetstream { store_dir: "${join(dir, 'js')}" }\n${body(dir)}`,
  );
  const server = new ServerProcess({
    name: 'nats-server',
    command: natsServerBinary(),
    args: ['-c', configFile],
    port,
  });
  await server.start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    process: server,
    dispose: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `/readyz` of a service: the HTTP status and which checks failed. */
export async function readiness(port: number): Promise<{ status: number; checks: Record<string, boolean> }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { checks: Record<string, boolean> };
  return { status: response.status, checks: body.checks };
}
