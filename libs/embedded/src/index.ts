export { InProcessCommitBus } from './bus/in-process-commit-bus.ts';
export { InProcessPresenceBus } from './bus/in-process-presence-bus.ts';
export { InProcessStatsBus } from './bus/in-process-stats-bus.ts';
export { InProcessSequencerClient, type SequenceHandler } from './bus/in-process-sequencer-client.ts';
export { LmdbEnvironment } from './lmdb/lmdb-environment.ts';
export { LmdbEventIndex } from './lmdb/lmdb-event-index.ts';
export { LmdbEventStore } from './lmdb/lmdb-event-store.ts';
export { LmdbLogFeed } from './lmdb/lmdb-log-feed.ts';
export { LmdbSequenceLog } from './lmdb/lmdb-sequence-log.ts';
