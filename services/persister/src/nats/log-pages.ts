import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';

const PAGE_SIZE = 256;

/**
 * Up to `PAGE_SIZE` messages of `subject` (wildcards allowed) from stream sequence `from` on, in order:
 * one direct batch get on NATS 2.11+, one direct get per message before.
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
    const messages = await jsm.direct.getBatch(stream, {
      seq: from,
      next_by_subj: subject,
      batch: PAGE_SIZE,
    });
    for await (const message of messages) page.push(message);
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

export const LOG_PAGE_SIZE = PAGE_SIZE;
