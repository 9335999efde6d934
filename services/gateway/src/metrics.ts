import { gaugeReadWhenScraped, serviceMetricsRegistry } from '@lfsync/runtime';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createGatewayMetrics() {
  const registry = serviceMetricsRegistry();
  return {
    registry,
    ...connectionMetrics(registry),
    ...trafficMetrics(registry),
    ...latencyMetrics(registry),
  };
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

function connectionMetrics(registry: Registry) {
  return {
    connections: new Gauge({
      name: 'gateway_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    sessions: new Gauge({
      name: 'gateway_authenticated_sessions',
      help: 'Authenticated sessions',
      registers: [registry],
    }),
    recentEventsBytes: new Gauge({
      name: 'gateway_recent_events_bytes',
      help: 'Memory held by recent committed events served to catch-ups without the database (approximate)',
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: 'gateway_slow_consumer_disconnects_total',
      help: 'Sessions closed because their send buffer overflowed',
      registers: [registry],
    }),
  };
}

function trafficMetrics(registry: Registry) {
  return {
    frames: new Counter({
      name: 'gateway_frames_received_total',
      help: 'Frames received, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    pushedEvents: new Counter({
      name: 'gateway_events_pushed_total',
      help: 'Events received in pushes',
      labelNames: ['transport'],
      registers: [registry],
    }),
    ackedEvents: new Counter({
      name: 'gateway_events_acked_total',
      help: 'Events acknowledged as durable',
      labelNames: ['transport'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'gateway_rejections_total',
      help: 'Errors sent to clients, by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    broadcastFrames: new Counter({
      name: 'gateway_broadcast_frames_total',
      help: 'Live event frames sent to sessions',
      registers: [registry],
    }),
    commits: new Counter({
      name: 'gateway_commits_received_total',
      help: 'Commit broadcasts received from NATS',
      registers: [registry],
    }),
    skippedCommits: new Counter({
      name: 'gateway_commits_skipped_total',
      help: 'Commit broadcasts dropped undecoded: no session here subscribed to their repository',
      registers: [registry],
    }),
    invalidCommits: new Counter({
      name: 'gateway_commits_invalid_total',
      help: 'Commit broadcasts rejected: not a sequenced batch (logged with the reason)',
      registers: [registry],
    }),
  };
}

function latencyMetrics(registry: Registry) {
  return {
    pushAckLatency: new Histogram({
      name: 'gateway_push_ack_duration_seconds',
      help: 'From push received to ack sent',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    broadcastLag: new Histogram({
      name: 'gateway_broadcast_lag_seconds',
      help: 'From the persister committing a batch to this gateway receiving its broadcast',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}

/** Read when scraped: how many bus subscriptions to commit broadcasts `count` says the gateway holds. */
export function gaugeCommitSubscriptions(metrics: GatewayMetrics, count: () => number): void {
  gaugeReadWhenScraped(
    metrics.registry,
    {
      name: 'gateway_commit_subscriptions',
      help: 'NATS subscriptions to commit broadcasts: one for all, or else one per repository its sessions use by name',
    },
    count,
  );
}
