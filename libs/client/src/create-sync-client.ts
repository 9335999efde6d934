import { isRepositoryName } from '@lfsync/contracts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { systemClock, type Clock } from './clock.ts';
import { lastWriterWins, type ConflictResolver } from './local/conflict.ts';
import { LocalStore } from './local/local-store.ts';
import { MemoryStorage } from './storage/memory-storage.ts';
import type { SyncStorage } from './storage/sync-storage.ts';
import { SubscriptionSet } from './subscriptions/subscription-set.ts';
import { WireSubscriptions } from './subscriptions/wire-subscriptions.ts';
import { SyncConnection, type TokenProvider } from './sync/connection.ts';
import { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './sync/heartbeat.ts';
import { DEFAULT_PUSH, type PushOptions } from './sync/push-flow.ts';
import { resolveWebSocket, type WebSocketConstructor } from './sync/web-socket.ts';
import { createErrorEmitter, SyncClient } from './sync-client.ts';
import type { ConnectionLink } from './tabs/connection-link.ts';
import { SharedTabLink } from './tabs/shared-tab-link.ts';
import type { LockManagerLike } from './tabs/tab-liveness.ts';
import { SoloLink } from './tabs/solo-link.ts';
import { TabChannel, type BroadcastChannelConstructor } from './tabs/tab-channel.ts';
import type { SyncError } from './sync-error.ts';
import { createUuidV7Generator } from './uuidv7.ts';

export interface SyncClientOptions {
  /** The gateway's WebSocket URL, e.g. `wss://sync.example.com/ws`. */
  readonly url: string;
  /** Called on every connect; return a fresh token when the old one may have expired. */
  readonly tokenProvider: TokenProvider;
  /**
   * The repositories the app uses from the start: each is subscribed to from its stored cursor on every
   * connect and caught up before the client is live. More (names or patterns) with `client.subscribe`.
   */
  readonly repositories: readonly string[];
  /** Where state survives restarts; default in memory (lost with the process). */
  readonly storage?: SyncStorage;
  /** Default: the global `WebSocket` (browsers, Node ≥ 22). In older Node pass `ws`'s `WebSocket`. */
  readonly webSocket?: WebSocketConstructor;
  readonly backoff?: Partial<BackoffOptions>;
  readonly heartbeat?: Partial<HeartbeatOptions>;
  readonly push?: Partial<PushOptions>;
  /** From opening the socket to `auth_success`; default 15 s. */
  readonly connectTimeoutMs?: number;
  /** A fresh token is sent this long before the current one expires; default 30 s. */
  readonly tokenRefreshMarginMs?: number;
  /** Default: last writer wins by `_created_at`, then `_event_id`. */
  readonly conflictResolver?: ConflictResolver;
  readonly clock?: Clock;
  /** In [0, 1), for the backoff jitter; default `Math.random`. */
  readonly random?: () => number;
  /**
   * Share one store and one connection with the other tabs (or workers) that open the same storage: the tab
   * holding a Web Lock owns the socket, the others follow over a BroadcastChannel. Without Web Locks or
   * BroadcastChannel (insecure contexts, old browsers) each client keeps its own connection.
   */
  readonly tabs?: TabSharing;
  /**
   * A repository this client has never synced starts from a state snapshot (the latest version of each
   * record, then the events after it) when the server's log holds at least this many events per record;
   * otherwise it replays the log. Undefined (the default): always replay. A snapshot keeps each record's
   * last write in server order, so it gives the state a replay gives when the conflict resolver lets the
   * later server write win — with last-writer-wins, when writers' clocks agree with the server's order.
   */
  readonly snapshotThreshold?: number;
}

export interface TabSharing {
  /** Tabs with the same name share; use the storage's name (e.g. the IndexedDB database name). */
  readonly name: string;
  /** Default: `navigator.locks`. */
  readonly locks?: LockManagerLike;
  /** Default: the global `BroadcastChannel`. */
  readonly broadcastChannel?: BroadcastChannelConstructor;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_TOKEN_REFRESH_MARGIN_MS = 30_000;

/**
 * Loads the local state and returns a client that can be read and written at once, offline. Call `start()`
 * to sync.
 */
export async function createSyncClient(options: SyncClientOptions): Promise<SyncClient> {
  const repositories = [...new Set(options.repositories)];
  const invalid = repositories.filter((name) => !isRepositoryName(name));
  if (invalid.length > 0) throw new TypeError(`invalid repository names: ${invalid.join(', ')}`);
  const webSocket = resolveWebSocket(options.webSocket);
  const clock = options.clock ?? systemClock;
  const storage = options.storage ?? new MemoryStorage();
  const { errors, report } = errorReporting();
  const channel = openTabChannel(options.tabs, report);
  const store = await LocalStore.open({
    storage,
    repositories,
    resolver: options.conflictResolver ?? lastWriterWins,
    clock,
    newEventId: createUuidV7Generator(() => clock.now()),
    report,
  });
  const onListenerError = (cause: unknown): void => report({ kind: 'listener_failed', cause });
  const subscriptions = new SubscriptionSet(onListenerError);
  for (const name of repositories) subscriptions.subscribe(name);
  const wire = new WireSubscriptions(onListenerError);
  const connection = new SyncConnection({
    url: options.url,
    subscriptions: wire,
    tokenProvider: options.tokenProvider,
    webSocket,
    store,
    clock,
    random: options.random ?? Math.random,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    heartbeat: { ...DEFAULT_HEARTBEAT, ...options.heartbeat },
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    tokenRefreshMarginMs: options.tokenRefreshMarginMs ?? DEFAULT_TOKEN_REFRESH_MARGIN_MS,
    push: { ...DEFAULT_PUSH, ...options.push },
    snapshotThreshold: options.snapshotThreshold,
    report,
  });
  const link: ConnectionLink =
    channel === undefined
      ? new SoloLink(connection, subscriptions, wire)
      : new SharedTabLink({ connection, store, subscriptions, wire, report, ...channel });
  return new SyncClient({
    store,
    connection: link,
    storage,
    errors,
    subscriptions,
    storageRepair: store.storageRepair,
  });
}

function errorReporting(): {
  errors: ReturnType<typeof createErrorEmitter>;
  report: (error: SyncError) => void;
} {
  const errors = createErrorEmitter();
  const report = (error: SyncError): void => {
    // The one place the library speaks on its own: an app that did not listen must still see its errors.
    if (errors.size === 0) console.warn('lfsync client:', error);
    else errors.emit(error);
  };
  return { errors, report };
}

/** Opened before the storage is read (see `TabChannel`); undefined when tabs cannot share here. */
function openTabChannel(
  tabs: TabSharing | undefined,
  report: (error: SyncError) => void,
): { channel: TabChannel; locks: LockManagerLike; name: string } | undefined {
  if (tabs === undefined) return undefined;
  const global = globalThis as unknown as {
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: BroadcastChannelConstructor;
  };
  const locks = tabs.locks ?? global.navigator?.locks;
  const Channel = tabs.broadcastChannel ?? global.BroadcastChannel;
  if (locks === undefined || Channel === undefined) return undefined;
  const channel = new TabChannel(new Channel(`lfsync:${tabs.name}`), (detail) =>
    report({ kind: 'invalid_frame', detail }),
  );
  return { channel, locks, name: tabs.name };
}
