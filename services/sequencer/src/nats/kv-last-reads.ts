import type { JetStreamManager } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import { ReplyTimeoutError, type ReplyInbox } from './reply-inbox.ts';
import type { WriteMark } from './index-write-marks.ts';

/** The last message stored under a subject, as far as the index needs it. */
export interface LastEntry {
  readonly subject: string;
  readonly seq: number;
  /** `KV-Operation` (DEL, PURGE), if set. */
  readonly operation: string | undefined;
  json(): unknown;
}

/**
 * The last message of each subject, in one batched direct get (NATS 2.11+) answered by whichever replica
 * takes it. With a `mark`, its subject is asked for too, and the answer counts only if that replica holds
 * it at the mark's revision or later; a replica that lags behind it (or is cut off from the others) makes
 * the result 'stale'. So does an answer that does not end (end of batch) within `maxWaitMs`: the replica
 * stalled or died while answering.
 */
export async function lastFromAnyReplica(
  inbox: ReplyInbox,
  stream: string,
  subjects: readonly string[],
  mark: WriteMark | undefined,
  maxWaitMs: number,
): Promise<LastEntry[] | 'stale'> {
  const asked =
    mark === undefined || subjects.includes(mark.subject) ? subjects : [...subjects, mark.subject];
  const request = JSON.stringify({ multi_last: asked, batch: asked.length });
  const found: LastEntry[] = [];
  try {
    await inbox.request(`$JS.API.DIRECT.GET.${stream}`, request, maxWaitMs, (reply) => {
      const status = reply.headers?.code ?? 0;
      if (status === 204 || status === 404) return true; // end of batch; no results
      if (status !== 0)
        throw new Error(`direct get of ${stream} failed: ${status} ${reply.headers?.description}`);
      found.push(entryOf(reply));
      return false;
    });
  } catch (err) {
    if (err instanceof ReplyTimeoutError) return 'stale';
    throw err;
  }
  const current =
    mark === undefined || found.some((e) => e.subject === mark.subject && e.seq >= mark.revision);
  return current ? found : 'stale';
}

/** The same from the stream's leader (a stream message get), one request per subject. */
export async function lastFromLeader(
  jsm: JetStreamManager,
  stream: string,
  subjects: readonly string[],
): Promise<LastEntry[]> {
  const messages = await Promise.all(
    subjects.map((subject) => jsm.streams.getMessage(stream, { last_by_subj: subject })),
  );
  return messages.flatMap((m) =>
    m === null
      ? []
      : [
          {
            subject: m.subject,
            seq: m.seq,
            operation: m.header.get('KV-Operation') || undefined,
            json: () => m.json(),
          },
        ],
  );
}

function entryOf(reply: Msg): LastEntry {
  return {
    subject: reply.headers?.get('Nats-Subject') ?? '',
    seq: Number(reply.headers?.get('Nats-Sequence') ?? 0),
    operation: reply.headers?.get('KV-Operation') || undefined,
    json: () => reply.json(),
  };
}
