export {
  createSyncClient,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TOKEN_REFRESH_MARGIN_MS,
  type SyncClientOptions,
  type TabSharing,
} from './create-sync-client.ts';
export type { TabRole } from './tabs/connection-link.ts';
export type { LockManagerLike } from './tabs/tab-liveness.ts';
export type { BroadcastChannelConstructor, BroadcastChannelLike } from './tabs/tab-channel.ts';
export { SyncClient } from './sync-client.ts';
export type { Subscription, SubscriptionStatus } from './subscriptions/subscription.ts';
export { SubscriptionError } from './subscriptions/subscription-error.ts';
export type { Presence, PresenceChange, PresenceStatus } from './subscriptions/presence.ts';
export type { PresenceMember, PresenceMeta } from '@lfsync/contracts';
export type { Repository } from './repository.ts';
export type { Query } from './query.ts';
export type { RecordEntry } from './local/repository-state.ts';
export type {
  LocalEvent,
  LocalOperation,
  PendingEntry,
  RecordData,
  RecordVersion,
} from './local/local-event.ts';
export {
  compareVersions,
  lastWriterWins,
  type ConflictInput,
  type ConflictReport,
  type ConflictResolver,
  type Resolution,
} from './local/conflict.ts';
export type { ConnectionState, ConnectionStatus, OfflineReason } from './sync/connection-state.ts';
export type { SyncError } from './sync-error.ts';
export type { Unsubscribe } from './emitter.ts';
export type { TokenProvider } from './sync/connection.ts';
export type { WebSocketConstructor, WebSocketLike } from './sync/web-socket.ts';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
export { DEFAULT_HEARTBEAT, type HeartbeatOptions } from './sync/heartbeat.ts';
export { DEFAULT_PUSH, type PushOptions } from './sync/push-flow.ts';
export { systemClock, type Cancel, type Clock } from './clock.ts';
export type {
  StorageChanges,
  StorageRepair,
  StoredRecord,
  StoredState,
  SyncStorage,
} from './storage/sync-storage.ts';
export { MemoryStorage } from './storage/memory-storage.ts';
export { IndexedDbStorage } from './storage/indexed-db-storage.ts';
export { createUuidV7Generator } from './uuidv7.ts';
