import { DEFAULT_DUPLICATE_WINDOW_MS, type BusNames } from '@lfsync/contracts';
import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';

const NANOS_PER_MS = 1_000_000;
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates the log stream if missing. It keeps every append: the persister reads it, and the sequencer
 * finds each repository's head in its last message.
 */
export async function ensureLogStream(
  jsm: JetStreamManager,
  names: BusNames,
  duplicateWindowMs?: number,
): Promise<void> {
  const config = {
    name: names.logStream,
    subjects: [names.logSubjectWildcard],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: (duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS) * NANOS_PER_MS,
    allow_direct: true,
  };
  try {
    await jsm.streams.add(config);
  } catch (err) {
    // Already there with another configuration: the sequencer (which owns the window) updates it.
    if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    if (duplicateWindowMs !== undefined) await jsm.streams.update(names.logStream, config);
  }
}
