export { startSequencer, type Sequencer } from './app.ts';
export { eventIndexTtlMsSchema, sequencerConfigSchema, type SequencerConfig } from './config.ts';
export { SequencerService } from './domain/sequencer-service.ts';
export { StoreBackedEventIndex } from './domain/store-backed-event-index.ts';
export { JetStreamSequenceLog } from './nats/jetstream-sequence-log.ts';
export { KvEventIndex } from './nats/kv-event-index.ts';
export { serveSequenceRequests, type SequenceResponder } from './nats/sequence-responder.ts';
export { createSequencerMetrics, type SequencerMetrics } from './metrics.ts';
export { reportSequencerStats } from './stats.ts';
