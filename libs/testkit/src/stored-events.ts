import type { Db, Document } from 'mongodb';

/**
 * The events' own documents of a repository (collection `events`: sequence `s`, event id `e`), in sequence
 * order, once the persister has written them all: once its head document (`heads`) records every stored
 * batch (`s`) and their index (`x`; absent: as far as `s`). It writes both after the ack. Waits at most
 * `timeoutMs` — after a persister died before writing them, its successor does once the log delivers those
 * batches again (30 s ack wait) — then reads what is there.
 */
export async function storedEventDocuments<T extends Document = Document>(
  db: Db,
  repository: string,
  timeoutMs = 45_000,
): Promise<T[]> {
  const heads = db.collection<{ _id: string; s: number; x?: number }>('heads');
  const batches = db.collection<{ r: string; t: number }>('event_batches');
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const [head, [last]] = await Promise.all([
      heads.findOne({ _id: repository }),
      batches.find({ r: repository }).sort({ t: -1 }).limit(1).toArray(),
    ]);
    if (Math.min(head?.x ?? head?.s ?? 0, head?.s ?? 0) >= (last?.t ?? 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const documents = await db.collection('events').find({ r: repository }).sort({ s: 1 }).toArray();
  return documents as unknown as T[];
}
