import { gaugeReadWhenScraped, RepositoryActivity, serviceMetricsRegistry } from '@lfsync/runtime';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createPersisterMetrics() {
  const registry = serviceMetricsRegistry();
  return {
    registry,
    ...counters(registry),
    ...lifecycleCounters(registry),
    ...histograms(registry),
    ...consumerGauges(registry),
    /** Heads and events per repository since the last stats report (the admin dashboard's event rates). */
    activity: new RepositoryActivity(),
  };
}
export type PersisterMetrics = ReturnType<typeof createPersisterMetrics>;

function counters(registry: Registry) {
  return {
    events: new Counter({
      name: 'persister_events_stored_total',
      help: 'Events written to MongoDB',
      registers: [registry],
    }),
    redelivered: new Counter({
      name: 'persister_batches_redelivered_total',
      help: 'Log batches received again after being stored',
      registers: [registry],
    }),
    blocked: new Counter({
      name: 'persister_batches_blocked_total',
      help: 'Log batches postponed because an earlier one was missing',
      registers: [registry],
    }),
    fetchedFromLog: new Counter({
      name: 'persister_batches_fetched_from_log_total',
      help: 'Batches read from the log directly because their delivery was held up',
      registers: [registry],
    }),
    displaced: new Counter({
      name: 'persister_displaced_events_total',
      help: 'Events found stored at another sequence (double fault; see docs)',
      registers: [registry],
    }),
    writeFailures: new Counter({
      name: 'persister_write_failures_total',
      help: 'MongoDB writes that failed and were retried',
      registers: [registry],
    }),
    dbTimeouts: new Counter({
      name: 'persister_db_timeouts_total',
      help: 'Database calls not answered within STORE_TIMEOUT_MS (failed and retried)',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    compactionFailures: new Counter({
      name: 'persister_compaction_failures_total',
      help: 'Background merges of batch documents into chunks that failed (the batches stay readable)',
      registers: [registry],
    }),
    invalid: new Counter({
      name: 'persister_invalid_log_messages_total',
      help: 'Log messages that failed validation',
      registers: [registry],
    }),
  };
}

/** Storage lifecycle: log retention, and restores from a backup (docs/deploy.md#storage-lifecycle). */
function lifecycleCounters(registry: Registry) {
  return {
    logTrimmed: new Counter({
      name: 'persister_log_messages_trimmed_total',
      help: 'Log messages removed once stored and older than LOG_RETENTION_MS',
      registers: [registry],
    }),
    lost: new Counter({
      name: 'persister_lost_events_total',
      help: 'Sequences MongoDB misses that the log no longer holds (a restore from an older backup; alert)',
      registers: [registry],
    }),
    replays: new Counter({
      name: 'persister_log_replays_total',
      help: 'Times the log was replayed from the position saved in MongoDB (after a restore or failover)',
      registers: [registry],
    }),
  };
}

/** Stages of a commit at a moderate load take a few milliseconds: finer at the low end. */
const STAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function histograms(registry: Registry) {
  return {
    writeLatency: new Histogram({
      name: 'persister_db_write_duration_seconds',
      help: 'What one group of batches waits for before its commit is announced: the insert, and the head update where the store needs it first',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    headsLatency: new Histogram({
      name: 'persister_heads_write_duration_seconds',
      help: 'One head update: before the commit is announced, or after it where the store counts batches stored past the head (MongoDB)',
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
    deliveryLag: new Histogram({
      name: 'persister_log_delivery_lag_seconds',
      help: 'From the append to the log (the JetStream message time) to its delivery to the persister; across hosts, includes their clock offset',
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
    groupSize: new Histogram({
      name: 'persister_group_events',
      help: 'Events written per group',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
      registers: [registry],
    }),
  };
}

function consumerGauges(registry: Registry) {
  return {
    active: new Gauge({
      name: 'persister_active',
      help: '1 while this replica holds the lease and consumes the log, 0 while it stands by',
      registers: [registry],
    }),
    consumerPending: new Gauge({
      name: 'persister_consumer_pending',
      help: 'Log messages not yet delivered to the persister',
      registers: [registry],
    }),
    logBytes: new Gauge({
      name: 'persister_log_bytes',
      help: 'Bytes in the log stream (alert when near persister_log_max_bytes: appends are refused there)',
      registers: [registry],
    }),
    logMaxBytes: new Gauge({
      name: 'persister_log_max_bytes',
      help: "The log stream's LOG_MAX_BYTES (0 = no limit)",
      registers: [registry],
    }),
    consumerAckPending: new Gauge({
      name: 'persister_consumer_ack_pending',
      help: 'Log messages delivered, not yet acknowledged',
      registers: [registry],
    }),
  };
}

/** Read when scraped: batch documents merged into chunks whose deletes have not run yet (`count`). */
export function gaugeMergedPartsWaiting(metrics: PersisterMetrics, count: () => number): void {
  gaugeReadWhenScraped(
    metrics.registry,
    {
      name: 'persister_merged_parts_waiting',
      help: 'Batch documents merged into chunks and not deleted yet (their deletes wait for a quiet database, while fewer than 2,000 wait)',
    },
    count,
  );
}
