import { DEFAULT_DUPLICATE_WINDOW_MS, type BusNames } from '@lfsync/contracts';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { creatingWithReplicas, ensureReplicas } from './replicas.ts';

const NANOS_PER_MS = 1_000_000;
const STREAM_NAME_IN_USE = 10058;

export interface LogStreamOptions {
  /** Given by the sequencer, which owns the window: an existing stream is updated to it. */
  duplicateWindowMs?: number;
  /** Copies kept in a cluster (NATS_REPLICAS); an existing stream with fewer is scaled up. */
  replicas?: number;
  /**
   * Given by the sequencer (LOG_MAX_BYTES; 0 = no limit): past it JetStream refuses appends (discard new)
   * instead of dropping old, perhaps unpersisted, messages. An existing stream is updated to it.
   */
  maxBytes?: number;
}

/**
 * Creates the log stream if missing. JetStream itself never drops a message (discard new): the persister
 * trims what is stored in MongoDB (`LogTrimmer`), and keeps each repository's last message, where the
 * sequencer finds its head.
 */
export async function ensureLogStream(
  jsm: JetStreamManager,
  names: BusNames,
  options: LogStreamOptions = {},
): Promise<void> {
  const replicas = options.replicas ?? 1;
  const config = {
    name: names.logStream,
    subjects: [names.logSubjectWildcard],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_bytes: options.maxBytes === undefined || options.maxBytes === 0 ? -1 : options.maxBytes,
    duplicate_window: (options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS) * NANOS_PER_MS,
    allow_direct: true,
    num_replicas: replicas,
  };
  const existing = await jsm.streams.info(names.logStream).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw err;
  });
  if (existing === undefined) {
    try {
      await creatingWithReplicas(`JetStream stream ${names.logStream}`, replicas, () =>
        jsm.streams.add(config),
      );
      return;
    } catch (err) {
      // Created meanwhile by another service, perhaps with another window or replica count.
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    }
  }
  await ensureReplicas(jsm, names.logStream, replicas);
  if (options.duplicateWindowMs !== undefined) {
    const current = (await jsm.streams.info(names.logStream)).config;
    const owned = {
      duplicate_window: config.duplicate_window,
      discard: config.discard,
      max_bytes: config.max_bytes,
    };
    if (Object.entries(owned).some(([key, value]) => current[key as keyof typeof owned] !== value))
      await jsm.streams.update(names.logStream, { ...current, ...owned });
  }
}
