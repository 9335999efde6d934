export { systemClock, type Cancel, type Clock } from './clock.ts';
export type { CommitPublisher } from './commit-publisher.ts';
export type { EventIndex } from './event-index.ts';
export {
  displacedEventId,
  type EntityEvent,
  type EventReader,
  type EventStore,
  type EventWriter,
  type StoredEvent,
} from './event-store.ts';
export type { LogDelivery, LogFeed } from './log-feed.ts';
export type { PresenceBus } from './presence-bus.ts';
export type { StatsBus } from './stats-bus.ts';
export type { SequencerClient } from './sequencer-client.ts';
export type { StoredSequences } from './stored-sequences.ts';
export type { AppendResult, LogHead, SequenceLog } from './sequence-log.ts';
