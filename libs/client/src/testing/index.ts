// Test doubles for code built on the SDK (unit tests without a server).
export { FakeClock } from './fake-clock.ts';
export {
  FakeServerConnection,
  FakeSyncServer,
  type FakeSyncServerOptions,
  type Refusal,
  type SubscriptionRefusal,
} from './fake-sync-server.ts';
