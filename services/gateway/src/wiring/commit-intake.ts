import { eventsJsonOf, type SequencedBatch } from '@lfsync/contracts';
import type { Clock } from '@lfsync/ports';
import type { Logger } from 'pino';
import { gaugeCommitSubscriptions, type GatewayMetrics } from '../metrics.ts';
import type { GatewayAdapters } from './adapters.ts';
import type { SyncServices } from './sync-services.ts';

/**
 * Every commit broadcast of the repositories the gateway follows: remembered for catch-ups, fanned out to
 * sessions, then releasing the acks it made durable. After a bus reconnect (broadcasts may be lost)
 * sessions refresh from the store. Returns the unsubscribe function.
 */
export function startCommitIntake(
  adapters: Pick<GatewayAdapters, 'subscribeCommits' | 'onBroadcastGap'>,
  services: SyncServices,
  metrics: GatewayMetrics,
  clock: Clock,
  logger: Logger,
): () => void {
  const { store, registry, commits, sessions, presence } = services;
  const neededHere = (repository: string) => registry.wants(repository) || commits.expects(repository);
  const wants = (repository: string) => {
    // Needed here now, or within the linger: its window stays fed for the sessions reconnecting meanwhile.
    if (neededHere(repository) || store.lingers(repository, clock.now())) return true;
    // Its window of recent events would go stale: catch-ups of it read the store from now on.
    store.skipped(repository);
    metrics.skippedCommits.inc();
    return false;
  };
  const onCommit = (
    batch: SequencedBatch,
    committedAtMs: number | undefined,
    eventsJson: readonly string[] = eventsJsonOf(batch),
  ) => {
    metrics.commits.inc();
    const now = clock.now();
    if (committedAtMs !== undefined) metrics.broadcastLag.observe(Math.max(0, now - committedAtMs) / 1000);
    store.remember(batch, eventsJson, neededHere(batch.repository) ? now : undefined);
    metrics.recentEventsBytes.set(store.cachedBytes);
    // Queued before the acks that this commit releases, so a pusher sees the events frame first (the other
    // sessions get it after the acks: session-registry.ts).
    registry.broadcast(batch, eventsJson);
    commits.committed(batch.repository, batch.toSequence);
    services.activity.committed(batch.repository, batch.toSequence, batch.events.length);
  };
  const stopped = (repository: string | undefined, kept?: ReadonlySet<string>) =>
    repository === undefined ? store.forget(kept) : store.skipped(repository);
  const rejected = () => metrics.invalidCommits.inc();
  const feed = adapters.subscribeCommits({ onCommit, wants, stopped, rejected });
  services.interest.attach(feed);
  gaugeCommitSubscriptions(metrics, () => feed.subscriptions);
  adapters.onBroadcastGap(() => {
    store.forget();
    logger.info({ sessions: sessions.size }, 'bus reconnected: refreshing sessions from the store');
    for (const session of sessions) session.refresh();
    presence.resync();
  });
  return () => feed.close();
}
