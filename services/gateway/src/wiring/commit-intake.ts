import type { Clock } from '@lfsync/ports';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.ts';
import { eventsJsonOf } from '../ws/frames.ts';
import type { GatewayAdapters } from './adapters.ts';
import type { SyncServices } from './sync-services.ts';

/**
 * Every commit broadcast: remembered for catch-ups, fanned out to sessions, then releasing the acks it
 * made durable. After a bus reconnect (broadcasts may be lost) sessions refresh from the store.
 * Returns the unsubscribe function.
 */
export function startCommitIntake(
  adapters: Pick<GatewayAdapters, 'subscribeCommits' | 'onBroadcastGap'>,
  services: SyncServices,
  metrics: GatewayMetrics,
  clock: Clock,
  logger: Logger,
): () => void {
  const { store, registry, commits, sessions } = services;
  const unsubscribe = adapters.subscribeCommits((batch, committedAtMs) => {
    metrics.commits.inc();
    if (committedAtMs !== undefined)
      metrics.broadcastLag.observe(Math.max(0, clock.now() - committedAtMs) / 1000);
    const eventsJson = eventsJsonOf(batch);
    store.remember(batch, eventsJson);
    metrics.recentEventsBytes.set(store.cachedBytes);
    // Queued before the acks that this commit releases, so a pusher sees the events frame first.
    registry.broadcast(batch, eventsJson);
    commits.committed(batch.repository, batch.toSequence);
  });
  adapters.onBroadcastGap(() => {
    store.forget();
    logger.info({ sessions: sessions.size }, 'bus reconnected: refreshing sessions from the store');
    for (const session of sessions) session.refresh();
  });
  return unsubscribe;
}
