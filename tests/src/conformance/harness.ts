/**
 * How a contract test gets the adapter under test: opened on fresh, isolated data (cleanup registered with
 * `onTestFinished`), and reopenable on the same data, as after a process restart.
 */
export interface AdapterUnderTest<T> {
  readonly adapter: T;
  /** Releases this instance (connection, storage handle) and opens a new one on the same data. */
  reopen(): Promise<T>;
}

export type OpenAdapter<T> = () => Promise<AdapterUnderTest<T>>;

/** A whole running product (gateway, sequencer, persister) on data that outlives `stop`. */
export interface RunningPipeline {
  /** WebSocket URL of the gateway. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the product on fresh data; `start` again (after `stop`) runs it on the same data. */
interface PipelineUnderTest {
  start(): Promise<RunningPipeline>;
}

export type OpenPipeline = () => Promise<PipelineUnderTest>;

/** One adapter set: everything the embedded mode replaces, with its production counterpart. */
export interface AdapterSet<SequenceLog, EventIndex, EventStore> {
  readonly name: string;
  readonly sequenceLog: OpenAdapter<SequenceLog>;
  readonly eventIndex: OpenAdapter<EventIndex>;
  readonly eventStore: OpenAdapter<EventStore>;
  readonly pipeline: OpenPipeline;
}
