import { busNames, sequencingTimeoutMs } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import {
  systemClock,
  type EventReader,
  type PresenceBus,
  type SequencerClient,
  type StatsBus,
} from '@lfsync/ports';
import {
  connectNats,
  mongoClientOptions,
  natsStatsBus,
  type Logger,
  type ReadinessCheck,
} from '@lfsync/runtime';
import { MongoClient } from 'mongodb';
import type { CommitFeed, CommitHandlers } from '../bus/commit-feed.ts';
import { NatsCommitFeed } from '../bus/nats-commit-feed.ts';
import { natsPresenceBus } from '../bus/nats-presence-bus.ts';
import { natsSequencerClient } from '../bus/sequencer-client.ts';
import type { GatewayConfig } from '../config.ts';

/** What the gateway talks to: NATS + MongoDB in production, in-process adapters in the embedded mode. */
export interface GatewayAdapters {
  store: EventReader;
  sequencer: SequencerClient;
  /** The committed batches of the repositories the returned feed follows and `handlers.wants` accepts. */
  subscribeCommits(handlers: CommitHandlers): CommitFeed;
  /** Who is online, between gateways. */
  presence: PresenceBus;
  /** Every service's stats reports, for the admin dashboard. */
  stats: StatsBus;
  /**
   * Called when commit broadcasts may have been missed (the bus connection was lost and is back), once
   * the feed's subscriptions bring every commit again: a store read from then on misses none.
   */
  onBroadcastGap(listener: () => void): void;
  readiness: ReadinessCheck[];
  close(): Promise<void>;
}

/** The production adapters: MongoDB for reads, NATS for sequencing and commit broadcasts. */
export async function connectGatewayAdapters(
  config: GatewayConfig,
  logger: Logger,
): Promise<GatewayAdapters> {
  const names = busNames(config.BUS_PREFIX);
  // Not connected up front: the driver connects on first use, so the gateway starts while MongoDB is down.
  const mongo = new MongoClient(config.MONGO_URL, mongoClientOptions(config));
  const store = new MongoEventStore(mongo.db(config.MONGO_DB));
  const nats = await connectNats(config, 'gateway', logger);
  return {
    store,
    sequencer: natsSequencerClient(nats.nc, names, sequencingTimeoutMs(config.ACK_TIMEOUT_MS)),
    subscribeCommits: (handlers) =>
      new NatsCommitFeed({
        nc: nats.nc,
        names,
        handlers,
        clock: systemClock,
        lingerMs: config.COMMIT_SUBSCRIPTION_LINGER_MS,
        logger,
      }),
    // nats.js reports the reconnect once it wrote the SUBs it re-sends, not once the server took them: a
    // commit published in between reaches no subscription, and a store read made at once may precede it.
    // A PING goes after those SUBs, so its PONG confirms them. A flush lost with the connection calls the
    // listener too: the next reconnect calls it again.
    onBroadcastGap: (listener) => nats.onReconnect(() => void nats.nc.flush().then(listener, listener)),
    presence: natsPresenceBus(nats.nc, names, logger),
    stats: natsStatsBus(nats.nc, names, logger),
    readiness: [
      { name: 'nats', check: () => nats.connected() },
      { name: 'mongodb', check: () => store.ping() },
    ],
    async close() {
      await nats.nc.drain().catch(() => nats.nc.close());
      await mongo.close();
    },
  };
}
