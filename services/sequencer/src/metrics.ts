import { serviceMetricsRegistry } from '@lfsync/runtime';
import { Counter, Histogram, Registry } from 'prom-client';

export function createSequencerMetrics() {
  const registry = serviceMetricsRegistry();
  return {
    registry,
    ...alertCounters(registry),
    sequenced: new Counter({
      name: 'sequencer_events_sequenced_total',
      help: 'Events given a new sequence',
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'sequencer_duplicate_events_total',
      help: 'Pushed events already sequenced (re-push)',
      registers: [registry],
    }),
    appends: new Counter({
      name: 'sequencer_appends_total',
      help: 'Batches appended to the log (the conflict rate is conflicts / (appends + conflicts))',
      registers: [registry],
    }),
    forwarded: new Counter({
      name: 'sequencer_forwarded_requests_total',
      help: 'Requests passed to the replica that owns their repository',
      registers: [registry],
    }),
    conflicts: new Counter({
      name: 'sequencer_append_conflicts_total',
      help: 'Appends refused because another sequencer appended first',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'sequencer_request_failures_total',
      help: 'Requests answered with an error',
      labelNames: ['code'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'sequencer_request_duration_seconds',
      help: 'From request received to reply sent',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
export type SequencerMetrics = ReturnType<typeof createSequencerMetrics>;

/** What an operator alerts on: refusals because storage limits are reached (docs/deploy.md#storage-lifecycle). */
function alertCounters(registry: Registry) {
  return {
    logFull: new Counter({
      name: 'sequencer_log_full_refusals_total',
      help: 'Appends refused because the log reached LOG_MAX_BYTES (alert: the persister lags or the limit is too low)',
      registers: [registry],
    }),
    persisterLagging: new Counter({
      name: 'sequencer_persister_lag_refusals_total',
      help: 'Look-ups refused because the persister lags close to EVENT_INDEX_TTL_MS behind (alert)',
      registers: [registry],
    }),
  };
}
