/**
 * `ask`'s answer, asked once and kept; a failed ask is not kept, so the next call asks again. For what a
 * store learns from the database (is it FerretDB?) before its first read or write: a database not up yet
 * must not fix the answer for the life of the process.
 */
export function askOnce<T>(ask: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () =>
    (kept ??= ask().catch((err: unknown) => {
      kept = undefined;
      throw err;
    }));
}
