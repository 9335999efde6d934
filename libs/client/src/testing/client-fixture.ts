import { createSyncClient, type SyncClientOptions } from '../create-sync-client.ts';
import type { ConflictReport } from '../local/conflict.ts';
import type { SyncClient } from '../sync-client.ts';
import type { ConnectionState } from '../sync/connection-state.ts';
import type { SyncError } from '../sync-error.ts';
import { FakeClock } from './fake-clock.ts';
import type { FakeSyncServer } from './fake-sync-server.ts';

/** A client on a fake server, with everything it reported collected for assertions. */
export interface TestClient {
  readonly client: SyncClient;
  readonly clock: FakeClock;
  readonly errors: SyncError[];
  readonly conflicts: ConflictReport[];
  readonly states: ConnectionState[];
  /** How often the token provider was called. */
  readonly tokenCalls: () => number;
}

export const TEST_BACKOFF = { baseMs: 100, capMs: 1_000 } as const;
export const TEST_HEARTBEAT = { intervalMs: 1_000, timeoutMs: 500 } as const;

export async function createTestClient(
  server: FakeSyncServer,
  options: Partial<SyncClientOptions> & { readonly clock?: FakeClock } = {},
): Promise<TestClient> {
  const clock = options.clock ?? new FakeClock();
  let calls = 0;
  const client = await createSyncClient({
    url: 'ws://fake/ws',
    tokenProvider: () => `token-${++calls}`,
    repositories: ['todo', 'note'],
    webSocket: server.WebSocket,
    random: () => 0.5,
    backoff: TEST_BACKOFF,
    heartbeat: TEST_HEARTBEAT,
    ...options,
    clock,
  });
  const errors: SyncError[] = [];
  const conflicts: ConflictReport[] = [];
  const states: ConnectionState[] = [];
  client.onError((e) => errors.push(e));
  client.onConflict((c) => conflicts.push(c));
  client.onStateChange((s) => states.push(s));
  return { client, clock, errors, conflicts, states, tokenCalls: () => calls };
}

/** Lets every frame in flight (microtasks) be delivered and handled. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
