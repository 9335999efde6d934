import type { Db, Document } from 'mongodb';

/**
 * The events' own documents of a repository (collection `events`: sequence `s`, event id `e`), in sequence
 * order, once the persister has written them all. It writes them after the ack, and its head document
 * (`heads`) says how far they go (`x`; absent: as far as the head `s`); it raises that head after the ack
 * too, so a batch stored right past the head (`event_batches` `<r>:<s + 1>`) means it is not done. Waits at
 * most `timeoutMs` — after a persister died before writing them, its successor does once the log delivers
 * those batches again (30 s ack wait) — then reads what is there.
 */
export async function storedEventDocuments<T extends Document = Document>(
  db: Db,
  repository: string,
  timeoutMs = 45_000,
): Promise<T[]> {
  const heads = db.collection<{ _id: string; s: number; x?: number }>('heads');
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const head = await heads.findOne({ _id: repository });
    const next = await db
      .collection('event_batches')
      .findOne({ _id: `${repository}:${(head?.s ?? 0) + 1}` as never });
    if (next === null && (head === null || head.x === undefined || head.x >= head.s)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const documents = await db.collection('events').find({ r: repository }).sort({ s: 1 }).toArray();
  return documents as unknown as T[];
}
