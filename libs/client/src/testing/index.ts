// Test doubles for code built on the SDK (unit tests without a server).
export { FakeClock } from './fake-clock.ts';
export {
  FakeServerConnection,
  FakeSyncServer,
  type FakeSyncServerOptions,
  type Refusal,
} from './fake-sync-server.ts';
