import { afterEach } from 'vitest';
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

export type TestClientOptions = Partial<SyncClientOptions> & { readonly clock?: FakeClock };

export async function createTestClient(
  server: FakeSyncServer,
  options: TestClientOptions = {},
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

/** The clients of one test file: each test's are closed after it. */
export interface TestClients {
  /** A client that is not started. */
  open(server: FakeSyncServer, options?: TestClientOptions): Promise<TestClient>;
  /** A started client, once the frames of its first connection attempt are handled. */
  started(server: FakeSyncServer, options?: TestClientOptions): Promise<TestClient>;
  /** A started client, once live. */
  live(server: FakeSyncServer, options?: TestClientOptions): Promise<TestClient>;
  /** Closes one before the test ends (e.g. a tab the test closes). */
  close(t: TestClient): Promise<void>;
}

/** Call at the top of a test file: registers the `afterEach` that closes every client a test opened. */
export function useTestClients(): TestClients {
  const opened = new Set<TestClient>();
  afterEach(async () => {
    for (const t of opened) await t.client.close();
    opened.clear();
  });
  const open = async (server: FakeSyncServer, options?: TestClientOptions): Promise<TestClient> => {
    const t = await createTestClient(server, options);
    opened.add(t);
    return t;
  };
  return {
    open,
    async started(server, options) {
      const t = await open(server, options);
      t.client.start();
      await settle();
      return t;
    },
    async live(server, options) {
      const t = await open(server, options);
      t.client.start();
      await t.client.whenLive();
      return t;
    },
    async close(t) {
      opened.delete(t);
      await t.client.close();
    },
  };
}
