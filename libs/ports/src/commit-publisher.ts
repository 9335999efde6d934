/** Announces committed batches to the gateways (NATS core, or an in-process bus). */
export interface CommitPublisher {
  /** Announces a committed batch; `data` is its JSON. */
  publish(repository: string, data: Uint8Array): void;
}
