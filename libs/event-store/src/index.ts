export { EVENTS_COLLECTION, HEADS_COLLECTION, MongoEventStore } from './mongo-event-store.ts';
