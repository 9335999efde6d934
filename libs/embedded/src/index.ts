export { InProcessCommitBus } from './bus/in-process-commit-bus.ts';
export { InProcessSequencerClient, type SequenceHandler } from './bus/in-process-sequencer-client.ts';
export { LmdbConsumerCursor } from './lmdb/lmdb-consumer-cursor.ts';
export { LmdbEnvironment } from './lmdb/lmdb-environment.ts';
export { LmdbEventIndex } from './lmdb/lmdb-event-index.ts';
export { LmdbEventStore } from './lmdb/lmdb-event-store.ts';
export { consumeLmdbLog, type LogSink } from './lmdb/lmdb-log-consumer.ts';
export { LmdbSequenceLog, type LogEntry } from './lmdb/lmdb-sequence-log.ts';
export { openEmbeddedStorage, startEmbedded, type Embedded, type EmbeddedOptions } from './start-embedded.ts';
