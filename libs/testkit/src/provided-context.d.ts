// What the global setup hands to integration tests through `inject()`. A declaration file of its own so that
// every package whose tests call `inject` can include it in its tsconfig.json.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
    mongoUrl: string;
  }
}
