import { busNames, decodeSequencedBatch } from '@lfsync/contracts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { LogEntry } from './verify-report.ts';

/** Every message of the repository's log subject, in order, read with an ordered consumer up to the last. */
export async function readLog(nc: NatsConnection, prefix: string, repository: string): Promise<LogEntry[]> {
  const names = busNames(prefix);
  const subject = names.logSubject(repository);
  const jsm = await jetstreamManager(nc);
  const last = await jsm.streams.getMessage(names.logStream, { last_by_subj: subject });
  if (last === null) return [];
  const consumer = await jetstream(nc).consumers.get(names.logStream, { filter_subjects: [subject] });
  const messages = await consumer.consume();
  const entries: LogEntry[] = [];
  try {
    for await (const message of messages) {
      entries.push({ streamSequence: message.seq, decoded: decodeSequencedBatch(message.data) });
      if (message.seq >= last.seq) break;
    }
  } finally {
    await messages.close();
  }
  return entries;
}
