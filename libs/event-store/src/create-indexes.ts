import type { Collection, Document, IndexDescription } from 'mongodb';

/**
 * One index per call, and only the missing ones: FerretDB 1.24 panics on a multi-index createIndexes
 * whose indexes already exist.
 */
export async function createMissingIndexes<T extends Document>(
  collection: Collection<T>,
  indexes: ReadonlyArray<IndexDescription & { name: string }>,
): Promise<void> {
  const existing = new Set(
    (
      await collection
        .listIndexes()
        .toArray()
        .catch(() => [])
    ).map((i: { name?: string }) => i.name),
  );
  for (const index of indexes) if (!existing.has(index.name)) await collection.createIndexes([index]);
}
