import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER_VERSION = 'v2.12.15';
export const FERRETDB_VERSION = 'v1.24.2';
/** Bumped when go/ferretdb changes, so a cached build of an older wrapper is not used. */
const FERRETDB_WRAPPER_REVISION = 'lfs3';
const DEBIAN_NATS_SERVER = '/usr/sbin/nats-server';

/** Where built test and benchmark servers are kept (also used by build-test-servers.sh). */
export function binCacheDir(): string {
  const base =
    process.env['LFS_CACHE_DIR'] ??
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'local-first-sync');
  return join(base, 'bin');
}

/** Kept in step with SERVICE_NODE_VERSION in build-test-servers.sh and the Dockerfile's node:24. */
const SERVICE_NODE_VERSION = '24.22.3';

/**
 * The Node.js that runs the services in tests and benchmarks: the Docker image's major, fetched by
 * `npm run test-servers`; the one running this process where it was not (`LFS_SERVICE_NODE=current`, or
 * no package for the platform).
 */
export function serviceNode(): string {
  const fetched = join(binCacheDir(), `node-v${SERVICE_NODE_VERSION}`);
  return process.env['LFS_SERVICE_NODE'] !== 'current' && existsSync(fetched) ? fetched : process.execPath;
}

/**
 * The Node flags a service runs with, in its Docker image as in the tests and the bench. The gateway's: the
 * young generation at most 32 MiB, as Node 20 sized it (Node 24 lets it grow to 128 MiB: 7 KiB more RSS per
 * idle session).
 */
export function serviceNodeFlags(service: string): readonly string[] {
  return service === 'gateway' ? ['--max-semi-space-size=16'] : [];
}

export function natsServerBinary(): string {
  const built = join(binCacheDir(), `nats-server-${NATS_SERVER_VERSION}`);
  if (existsSync(built)) return built;
  if (existsSync(DEBIAN_NATS_SERVER)) return DEBIAN_NATS_SERVER;
  throw new Error(
    'nats-server not found: run `npm run test-servers` (needs Go 1.24+) or `apt-get install nats-server`',
  );
}

export function ferretDbBinary(): string {
  const built = join(binCacheDir(), `ferretdb-${FERRETDB_VERSION}-${FERRETDB_WRAPPER_REVISION}`);
  if (existsSync(built)) return built;
  throw new Error('FerretDB not built: run `npm run test-servers` (needs Go 1.24+), or set MONGO_URL');
}
