import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';

const PAGE_SIZE = 256;
const NOT_FOUND = 404;

export const LOG_PAGE_SIZE = PAGE_SIZE;

/**
 * Up to `LOG_PAGE_SIZE` messages of `subject` (wildcards allowed) from stream sequence `from` on, in order:
 * one direct batch get on NATS 2.11+, one direct get per message before. Empty when there are none.
 */
export async function readLogPage(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  from: number,
  batched: boolean,
): Promise<StoredMsg[]> {
  const page: StoredMsg[] = [];
  if (batched) {
    try {
      const messages = await jsm.direct.getBatch(stream, {
        seq: from,
        next_by_subj: subject,
        batch: PAGE_SIZE,
      });
      for await (const message of messages) page.push(message);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return page;
  }
  for (let seq = from; page.length < PAGE_SIZE;) {
    const message = await jsm.direct.getMessage(stream, { seq, next_by_subj: subject });
    if (message === null) break;
    page.push(message);
    seq = message.seq + 1;
  }
  return page;
}

/** The batch get's status 404: nothing from `from` on (a `JetStreamStatusError`, not in the public module). */
function isNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === NOT_FOUND;
}
