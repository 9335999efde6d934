import {
  MAX_STATS_REPOSITORIES,
  type CommittedRepositoryStats,
  type GatewayRepositoryStats,
  type GatewayStats,
} from '@lfsync/contracts';
import type { Clock, StatsBus } from '@lfsync/ports';
import { startStatsPublisher, type RepositoryActivity } from '@lfsync/runtime';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { PresenceHub } from '../presence/presence-hub.ts';
import type { SessionRegistry } from '../ws/session-registry.ts';

type Subscriptions = Pick<
  SessionRegistry,
  'size' | 'implicitSessions' | 'subscriberCount' | 'mostSubscribedNames'
>;

export interface GatewayStatsSource {
  bus: StatsBus;
  instance: string;
  intervalMs: number;
  clock: Clock;
  logger: Logger;
  connections(): number;
  registry: Subscriptions;
  presence: Pick<PresenceHub, 'localMemberCounts'>;
  /** Commits this gateway received since the last report. */
  activity: RepositoryActivity;
  rejections: Counter;
}

/** Reports this gateway's sessions, repositories and rejections every `intervalMs`; returns the stop function. */
export function reportGatewayStats(source: GatewayStatsSource): () => void {
  const { instance, intervalMs, clock, registry } = source;
  return startStatsPublisher({
    ...source,
    snapshot: async (): Promise<GatewayStats> => ({
      service: 'gateway',
      instance,
      atMs: clock.now(),
      intervalMs,
      connections: source.connections(),
      sessions: registry.size,
      implicitSessions: registry.implicitSessions,
      repositories: gatewayRepositories(
        registry,
        source.presence.localMemberCounts(),
        source.activity.take(Infinity),
      ),
      rejections: Object.fromEntries(
        (await source.rejections.get()).values.map((v) => [String(v.labels['code']), v.value]),
      ),
    }),
  });
}

/**
 * The repositories this gateway has something to say about — subscribed by name, with members present
 * here, or committed to while someone here listened — the most subscribed and present first.
 */
export function gatewayRepositories(
  registry: Pick<Subscriptions, 'subscriberCount' | 'mostSubscribedNames'>,
  presence: ReadonlyMap<string, number>,
  committed: readonly CommittedRepositoryStats[],
): GatewayRepositoryStats[] {
  const heads = new Map(committed.map((c) => [c.repository, c.head]));
  const subscribed = registry.mostSubscribedNames(MAX_STATS_REPOSITORIES);
  const names = new Set([...subscribed, ...presence.keys(), ...heads.keys()]);
  const repositories = [...names].map((repository) => {
    const head = heads.get(repository);
    return {
      repository,
      subscribers: registry.subscriberCount(repository),
      presence: presence.get(repository) ?? 0,
      ...(head === undefined ? {} : { head }),
    };
  });
  return repositories
    .sort((a, b) => b.subscribers + b.presence - (a.subscribers + a.presence))
    .slice(0, MAX_STATS_REPOSITORIES);
}
