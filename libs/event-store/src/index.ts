export type { EventStore, StoredEvent } from './event-store.ts';
export { EVENTS_COLLECTION, HEADS_COLLECTION, MongoEventStore } from './mongo-event-store.ts';
