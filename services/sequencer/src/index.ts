export { startSequencer, type Sequencer } from './app.ts';
export { sequencerConfigSchema, type SequencerConfig } from './config.ts';
