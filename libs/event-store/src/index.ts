export {
  EVENTS_COLLECTION,
  HEADS_COLLECTION,
  MongoEventStore,
  type EventDocument,
  type HeadDocument,
} from './mongo-event-store.ts';
