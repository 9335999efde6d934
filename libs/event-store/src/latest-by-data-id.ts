import type { EntityEvent } from '@lfsync/ports';
import type { Collection } from 'mongodb';
import type { EventRef } from './event-bodies.ts';
import type { EventDocument } from './event-documents.ts';

/** The `{r, d, s: -1}` index of the events collection: its order is the order of a snapshot. */
export const DATA_ID_INDEX_NAME = 'repository_data_id';

/**
 * One pass over the `{r, d, s: -1}` index, entity after entity, newest version first: the first document
 * of each `d` is the entity's latest event at `atSequence`, the older versions are skipped. The read is a
 * single cursor however many pages it yields, and a later page starts where `afterDataId` left off (`$gt`
 * compares as the index sorts). On MongoDB the index gives the order (no in-memory sort); FerretDB sorts.
 * The events' JSON comes from `bodies`, once per page (event-bodies.ts).
 */
export async function* scanLatestByDataId(
  events: Collection<EventDocument>,
  repository: string,
  atSequence: number,
  options: { afterDataId?: string | undefined; pageSize: number },
  bodies: (refs: readonly EventRef[]) => Promise<string[]>,
): AsyncGenerator<EntityEvent[]> {
  if (atSequence <= 0) return;
  // A string bound also leaves out events without an entity id (missing `d`): strings sort after null.
  const dataIds = options.afterDataId === undefined ? { $gte: '' } : { $gt: options.afterDataId };
  const cursor = events
    .find(
      { r: repository, d: dataIds, s: { $lte: atSequence } },
      { projection: { _id: 0, d: 1, s: 1, f: 1, b: 1 } },
    )
    .sort({ d: 1, s: -1 })
    .hint(DATA_ID_INDEX_NAME)
    .batchSize(1_000);
  let page: Array<EventRef & { d: string }> = [];
  const withBodies = async () => {
    const jsons = await bodies(page);
    return page.map(({ d, s }, i): EntityEvent => ({ dataId: d, sequence: s, json: jsons[i] as string }));
  };
  let previous: string | undefined;
  try {
    for await (const document of cursor) {
      const dataId = document.d;
      if (dataId === undefined || dataId === previous) continue;
      previous = dataId;
      page.push({ ...document, d: dataId });
      if (page.length >= options.pageSize) {
        yield await withBodies();
        page = [];
      }
    }
    if (page.length > 0) yield await withBodies();
  } finally {
    await cursor.close();
  }
}
