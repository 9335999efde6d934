export { startSequencer, type Sequencer } from './app.ts';
export { sequencerConfigSchema, type SequencerConfig } from './config.ts';
export { SequencerService } from './domain/sequencer-service.ts';
export { JetStreamSequenceLog } from './nats/jetstream-sequence-log.ts';
export { KvEventIndex } from './nats/kv-event-index.ts';
