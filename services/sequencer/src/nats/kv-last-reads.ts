import type { DirectStreamAPI, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { WriteMark } from './index-write-marks.ts';

/**
 * The last message of each subject, in one batched direct get (NATS 2.11+) answered by whichever replica
 * takes it. With a `mark`, its subject is asked for too, and the answer counts only if that replica holds
 * it at the mark's revision or later; a replica that lags behind it (or is cut off from the others) makes
 * the result 'stale'.
 */
export async function lastFromAnyReplica(
  direct: DirectStreamAPI,
  stream: string,
  subjects: readonly string[],
  mark: WriteMark | undefined,
): Promise<StoredMsg[] | 'stale'> {
  const asked =
    mark === undefined || subjects.includes(mark.subject) ? subjects : [...subjects, mark.subject];
  const replies = await direct.getLastMessagesFor(stream, { multi_last: [...asked], batch: asked.length });
  const found: StoredMsg[] = [];
  let current = mark === undefined;
  for await (const message of replies) {
    if (message.subject === mark?.subject && message.seq >= mark.revision) current = true;
    found.push(message);
  }
  return current ? found : 'stale';
}

/** The same from the stream's leader (a stream message get), one request per subject. */
export async function lastFromLeader(
  jsm: JetStreamManager,
  stream: string,
  subjects: readonly string[],
): Promise<StoredMsg[]> {
  const messages = await Promise.all(
    subjects.map((subject) => jsm.streams.getMessage(stream, { last_by_subj: subject })),
  );
  return messages.filter((message): message is StoredMsg => message !== null);
}
