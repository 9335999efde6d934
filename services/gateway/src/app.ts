import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { busNames, sequencingTimeoutMs, type SequencedBatch } from '@lfsync/contracts';
import { MongoEventStore } from '@lfsync/event-store';
import type { EventReader, SequencerClient } from '@lfsync/ports';
import {
  MONGO_CLIENT_OPTIONS,
  connectNats,
  opsHandler,
  type Logger,
  type ReadinessCheck,
} from '@lfsync/runtime';
import { MongoClient } from 'mongodb';
import { issueDevToken } from './auth/dev-tokens.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import { subscribeCommits } from './bus/commit-feed.ts';
import { natsSequencerClient } from './bus/sequencer-client.ts';
import type { GatewayConfig } from './config.ts';
import { createGatewayServer } from './http/gateway-server.ts';
import { staticFiles } from './http/static-files.ts';
import { createGatewayMetrics } from './metrics.ts';
import { restApi } from './rest/rest-api.ts';
import { CommitTracker } from './sync/commit-tracker.ts';
import { PushService } from './sync/push-service.ts';
import { RecentEventsStore } from './sync/recent-events-store.ts';
import { eventsJsonOf } from './ws/frames.ts';
import { Session } from './ws/session.ts';
import { SessionRegistry } from './ws/session-registry.ts';

export interface Gateway {
  readonly port: number;
  readonly url: string;
  /** Stops accepting, closes every session with 1001, then releases NATS and MongoDB. */
  stop(): Promise<void>;
}

/** What the gateway talks to: NATS + MongoDB in production, in-process adapters in the embedded mode. */
export interface GatewayAdapters {
  store: EventReader;
  sequencer: SequencerClient;
  /** Every committed batch of every repository; returns the unsubscribe function. */
  subscribeCommits(onCommit: (batch: SequencedBatch, committedAtMs?: number) => void): () => void;
  /** Called when commit broadcasts may have been missed (the bus connection was lost and is back). */
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
  const mongo = new MongoClient(config.MONGO_URL, MONGO_CLIENT_OPTIONS);
  const store = new MongoEventStore(mongo.db(config.MONGO_DB));
  const nats = await connectNats(config.NATS_URL, 'gateway', logger);
  return {
    store,
    sequencer: natsSequencerClient(nats.nc, names, sequencingTimeoutMs(config.ACK_TIMEOUT_MS)),
    subscribeCommits: (onCommit) => {
      const subscription = subscribeCommits(nats.nc, names, logger, onCommit);
      return () => subscription.unsubscribe();
    },
    onBroadcastGap: (listener) => nats.onReconnect(listener),
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

/** Wires the gateway and starts listening on `config.PORT` (0 = any free port). */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  adapters?: GatewayAdapters,
): Promise<Gateway> {
  const log = logger.child({ component: 'gateway' });
  const metrics = createGatewayMetrics();

  const devSecret =
    config.DEV_AUTH &&
    config.JWT_SECRET === undefined &&
    config.JWT_PUBLIC_KEY === undefined &&
    config.JWT_JWKS_URL === undefined
      ? randomUUID() + randomUUID()
      : undefined;
  const secret = config.JWT_SECRET ?? devSecret;
  const verify = await createTokenVerifier({
    secret,
    publicKeyPem: config.JWT_PUBLIC_KEY,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  if (config.DEV_AUTH && secret === undefined)
    throw new Error('DEV_AUTH needs JWT_SECRET (or no key configured at all)');

  const {
    store: database,
    sequencer,
    readiness,
    ...connection
  } = adapters ?? (await connectGatewayAdapters(config, log));
  const store = new RecentEventsStore(database, config.RECENT_EVENTS_CACHE_BYTES);
  const commits = new CommitTracker(store);
  const push = new PushService(sequencer, commits, {
    maxBatchEvents: config.MAX_BATCH_EVENTS,
    maxDataBytes: config.MAX_DATA_BYTES,
    ackTimeoutMs: config.ACK_TIMEOUT_MS,
  });
  const registry = new SessionRegistry((frames) => metrics.broadcastFrames.inc(frames));
  const sessions = new Set<Session>();

  const unsubscribe = connection.subscribeCommits((batch, committedAtMs) => {
    metrics.commits.inc();
    if (committedAtMs !== undefined)
      metrics.broadcastLag.observe(Math.max(0, Date.now() - committedAtMs) / 1000);
    const eventsJson = eventsJsonOf(batch);
    store.remember(batch, eventsJson);
    metrics.recentEventsBytes.set(store.cachedBytes);
    // Queued before the acks that this commit releases, so a pusher sees the events frame first.
    registry.broadcast(batch, eventsJson);
    commits.committed(batch.repository, batch.toSequence);
  });

  const { server, wss } = createGatewayServer(
    {
      allowedOrigins: config.ALLOWED_ORIGINS,
      maxConnections: config.MAX_CONNECTIONS,
      maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
      hardMaxFrameBytes: config.MAX_FRAME_BYTES * 4,
    },
    {
      ops: opsHandler(metrics.registry, readiness),
      rest: restApi({
        verify,
        push,
        store,
        metrics,
        maxBodyBytes: config.MAX_FRAME_BYTES,
        pageSize: config.CATCHUP_PAGE_SIZE,
      }),
      devToken:
        config.DEV_AUTH && secret !== undefined
          ? (username) =>
              issueDevToken(secret, username, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE })
          : undefined,
      staticFiles: config.STATIC_DIR === undefined ? undefined : staticFiles(config.STATIC_DIR),
      onConnection: (ws) => {
        const session = new Session(randomUUID(), ws, {
          limits: {
            authTimeoutMs: config.AUTH_TIMEOUT_MS,
            maxFrameBytes: config.MAX_FRAME_BYTES,
            maxPendingAcks: config.MAX_PENDING_ACKS,
            ratePerSec: config.RATE_LIMIT_PER_SEC,
            rateBurst: config.RATE_LIMIT_BURST,
            maxOutboundBytes: config.MAX_OUTBOUND_BYTES,
            slowConsumerTimeoutMs: config.SLOW_CONSUMER_TIMEOUT_MS,
            catchUpPageSize: config.CATCHUP_PAGE_SIZE,
            invalidFrameLimit: config.INVALID_FRAME_LIMIT,
          },
          verify,
          push,
          store,
          logger: log,
          metrics,
          onAuthenticated: (s, authenticated) => {
            registry.set(s, authenticated);
            metrics.sessions.set(registry.size);
          },
        });
        sessions.add(session);
        metrics.connections.set(sessions.size);
        ws.once('close', () => {
          sessions.delete(session);
          metrics.connections.set(sessions.size);
        });
      },
    },
    log,
  );

  connection.onBroadcastGap(() => {
    store.forget();
    log.info({ sessions: sessions.size }, 'bus reconnected: refreshing sessions from the store');
    for (const session of sessions) session.refresh();
  });

  const heartbeat = setInterval(() => {
    for (const session of sessions) session.heartbeat();
  }, config.PING_INTERVAL_MS);
  heartbeat.unref();

  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  log.info({ port, devAuth: config.DEV_AUTH }, 'gateway listening');

  return {
    port,
    url: `ws://127.0.0.1:${port}/sync`,
    async stop() {
      clearInterval(heartbeat);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close(1001, 'SHUTTING_DOWN');
      const deadline = Date.now() + 2_000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await closed;
      unsubscribe();
      await connection.close();
    },
  };
}
