import { gatewayConfigSchema } from '@lfsync/gateway';
import { captureLogs } from '@lfsync/testkit';
import { startStack, TEST_JWT_SECRET } from '../stack.ts';
import { signTestToken } from '../tokens.ts';
import { startEmbeddedServer } from './embedded-target.ts';

export type StackKind = 'embedded' | 'nats-mongo';

/** A running server as the Dart tests see it: an HTTP base URL and a WebSocket base URL. */
export interface DartTarget {
  readonly baseUrl: string;
  /** The Dart tests connect to the root path (`ws://localhost:18081`); the apps use `/sync`. */
  readonly wsRootUrl: string;
  readonly wsSyncUrl: string;
  /** A token that may read and write every repository. */
  token(): Promise<string>;
  stop(): Promise<void>;
}

/** Gateway settings as environment strings (the compatibility settings among them). */
export type GatewayEnv = Record<string, string>;

/** The server's own heartbeat, short as in the Dart server's test mode (3 s). */
const TEST_PING_INTERVAL_MS = '2000';

export async function startTarget(
  kind: StackKind,
  env: GatewayEnv,
  servers: { natsUrl: string; mongoUrl: string },
): Promise<DartTarget> {
  const token = () => signTestToken('dart-tests');
  if (kind === 'nats-mongo') {
    const stack = await startStack({
      ...servers,
      gatewayEnv: { PING_INTERVAL_MS: TEST_PING_INTERVAL_MS, ...env },
    });
    const base = stack.httpUrl();
    return { ...urls(base), token, stop: () => stack.stop() };
  }
  const logs = captureLogs('warn');
  const server = await startEmbeddedServer(
    gatewayConfigSchema.parse({
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn',
      PING_INTERVAL_MS: TEST_PING_INTERVAL_MS,
      ...env,
    }),
    logs.logger,
  );
  return { ...urls(`http://127.0.0.1:${server.port}`), token, stop: () => server.stop() };
}

function urls(base: string) {
  const ws = base.replace(/^http/, 'ws');
  return { baseUrl: base, wsRootUrl: ws, wsSyncUrl: `${ws}/sync` };
}
