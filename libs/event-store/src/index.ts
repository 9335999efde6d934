export { EVENTS_COLLECTION, type EventDocument } from './event-documents.ts';
export { HEADS_COLLECTION, MongoEventStore, type HeadDocument } from './mongo-event-store.ts';
