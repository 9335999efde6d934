import type { Collection } from 'mongodb';
import type { BatchDocument } from './batch-scan.ts';
import { chunkStart } from './chunk-layout.ts';
import type { HeadDocument } from './mongo-event-store.ts';

/** Steps of a walk after which the heads are read again (a reader chasing a busy persister stops soon). */
const RAISED_AGAIN_EVERY = 16;

/**
 * A repository's committed head, from the one its head document says (`raised`, more than 0: a new
 * repository's first head is raised before it is announced): the batches stored right after it, one after
 * another without a gap, are committed too (`committedOnInsert`; the persister raises the heads just after
 * it announces a group). A batch missing where the walk looks may have been merged into its chunk meanwhile:
 * its document is deleted only after the chunk replaced the one at the chunk's start, so that is looked up
 * before the walk stops.
 */
export async function committedHead(
  batches: Collection<BatchDocument>,
  heads: Collection<HeadDocument>,
  repository: string,
  raised: number,
): Promise<number> {
  let head = raised;
  for (let step = 1; ; step++) {
    const next = head + 1;
    const found =
      (await endOf(batches, repository, next)) ??
      (chunkStart(next) === next ? undefined : await endOf(batches, repository, chunkStart(next)));
    if (found === undefined || found < next) return head;
    head = found;
    if (step % RAISED_AGAIN_EVERY === 0) {
      const again = await heads.findOne({ _id: repository }, { projection: { _id: 0, s: 1 } });
      head = Math.max(head, again?.s ?? 0);
    }
  }
}

/** The last sequence of the document that starts at `from`. */
async function endOf(
  batches: Collection<BatchDocument>,
  repository: string,
  from: number,
): Promise<number | undefined> {
  const document = await batches.findOne({ _id: `${repository}:${from}` }, { projection: { _id: 0, t: 1 } });
  return document?.t;
}
