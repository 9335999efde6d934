import { randomUUID } from 'node:crypto';
import type { Clock } from '@lfsync/ports';
import { RepositoryActivity } from '@lfsync/runtime';
import type { Logger } from 'pino';
import { withDartDefaults } from '../compat/loose-event.ts';
import type { GatewayConfig } from '../config.ts';
import { CommitInterest } from '../fanout/commit-interest.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { PresenceHub } from '../presence/presence-hub.ts';
import { CommitTracker } from '../sync/commit-tracker.ts';
import { PushService } from '../sync/push-service.ts';
import { RecentEventsStore } from '../sync/recent-events-store.ts';
import type { Session } from '../ws/session.ts';
import { SessionRegistry } from '../ws/session-registry.ts';
import type { GatewayAdapters } from './adapters.ts';

export interface SyncServices {
  /** The database behind a window of recent commits. */
  store: RecentEventsStore;
  commits: CommitTracker;
  /** Which commits the gateway needs from the bus (see fanout/commit-interest.ts). */
  interest: CommitInterest;
  push: PushService;
  /** Authenticated sessions and their subscriptions, for broadcasts. */
  registry: SessionRegistry<Session>;
  /** Who is online, per repository, kept in step with the other gateways. */
  presence: PresenceHub;
  /** Every open session. */
  sessions: Set<Session>;
  /** Commits received since the last stats report (for the admin dashboard). */
  activity: RepositoryActivity;
}

export function createSyncServices(
  config: GatewayConfig,
  adapters: Pick<GatewayAdapters, 'store' | 'sequencer' | 'presence'>,
  metrics: GatewayMetrics,
  clock: Clock,
  logger: Logger,
): SyncServices {
  const interest = new CommitInterest(clock);
  const store = new RecentEventsStore(
    adapters.store,
    config.RECENT_EVENTS_CACHE_BYTES,
    (repository) => interest.ready(repository),
    config.COMMIT_SUBSCRIPTION_LINGER_MS,
  );
  const commits = new CommitTracker(store, clock, interest);
  const limits = {
    maxBatchEvents: config.MAX_BATCH_EVENTS,
    maxDataBytes: config.MAX_DATA_BYTES,
    maxDataDepth: config.MAX_DATA_DEPTH,
    ackTimeoutMs: config.ACK_TIMEOUT_MS,
    normalize:
      config.EVENT_VALIDATION === 'loose' ? (raw: unknown) => withDartDefaults(raw, clock.now()) : undefined,
  };
  const push = new PushService(adapters.sequencer, commits, limits, logger);
  const registry = new SessionRegistry<Session>({
    implicitAll: config.IMPLICIT_SUBSCRIPTION === 'all',
    onFrames: (frames) => metrics.broadcastFrames.inc(frames),
    interest,
    acksAwaited: (repository) => commits.expects(repository),
  });
  const timing = {
    heartbeatMs: config.PRESENCE_HEARTBEAT_MS,
    timeoutMs: config.PRESENCE_TIMEOUT_MS,
    queryWaitMs: config.PRESENCE_QUERY_WAIT_MS,
  };
  const presenceLog = logger.child({ component: 'presence' });
  const presence = new PresenceHub(randomUUID(), adapters.presence, clock, timing, presenceLog);
  const activity = new RepositoryActivity();
  return { store, commits, interest, push, registry, presence, sessions: new Set(), activity };
}
