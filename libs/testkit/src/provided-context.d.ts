// What the global setup hands to integration tests through `inject()`. A declaration file of its own so that
// every package whose tests call `inject` can include it in its tsconfig.json.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
    mongoUrl: string;
    /** For MongoEventStore; `String(…)` of it for MONGO_WRITE_CONCERN. `majority` on a replica set. */
    mongoWriteConcern: 'majority' | 1;
    /** What started the servers not given by NATS_URL / MONGO_URL. */
    testServers: 'local' | 'containers';
  }
}
