export { startSequencer, type Sequencer } from './app.ts';
export { sequencerConfigSchema, type SequencerConfig } from './config.ts';
export { SequencerService } from './domain/sequencer-service.ts';
export { JetStreamSequenceLog } from './nats/jetstream-sequence-log.ts';
export { KvEventIndex } from './nats/kv-event-index.ts';
export { serveSequenceRequests, type SequenceResponder } from './nats/sequence-responder.ts';
export { createSequencerMetrics, type SequencerMetrics } from './metrics.ts';
export { reportSequencerStats } from './stats.ts';
