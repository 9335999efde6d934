import type { EntityEvent, EventReader } from '@lfsync/ports';
import { snapshotCompleteFrame, snapshotFrame } from './frames.ts';
import type { FeedOutput } from './repository-feed.ts';

export interface SnapshotRequest {
  /** S: the head when the snapshot began; every page is of this same state. */
  at: number;
  pageSize: number;
  /** Send it only when the log up to S has at least this many events per entity of the snapshot. */
  minRatio: number | undefined;
}

/** `sent`: pages and `snapshot_complete` went out; `declined`: too many entities for `minRatio`, nothing sent. */
export type SnapshotOutcome = 'sent' | 'declined' | 'gone';

/**
 * Sends the latest event of each entity at `at` in `snapshot` pages, then `snapshot_complete`. With
 * `minRatio` the pages are held back until the snapshot is known to be small enough (at most
 * `at / minRatio` entities): that bounds what is held, and a snapshot not worth it costs no bytes on the wire.
 */
export async function sendSnapshot(
  store: Pick<EventReader, 'scanLatestByDataId'>,
  output: FeedOutput,
  repository: string,
  request: SnapshotRequest,
): Promise<SnapshotOutcome> {
  const maxEntities = request.minRatio === undefined ? Infinity : Math.floor(request.at / request.minRatio);
  const held: EntityEvent[][] = [];
  let count = 0;
  for await (const page of store.scanLatestByDataId(repository, request.at, { pageSize: request.pageSize })) {
    count += page.length;
    if (count > maxEntities) return 'declined';
    if (maxEntities === Infinity) {
      if (!(await sendPage(output, repository, request.at, page))) return 'gone';
    } else held.push(page);
  }
  for (const page of held) if (!(await sendPage(output, repository, request.at, page))) return 'gone';
  return output.send(snapshotCompleteFrame(repository, request.at, count)) ? 'sent' : 'gone';
}

async function sendPage(
  output: FeedOutput,
  repository: string,
  at: number,
  page: readonly EntityEvent[],
): Promise<boolean> {
  if (!(await output.writable())) return false;
  return output.send(
    snapshotFrame(
      repository,
      at,
      page.map((e) => e.json),
    ),
  );
}
