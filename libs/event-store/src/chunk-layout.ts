/**
 * Events per chunk document (batch-compaction.ts). Part of the stored format: a reader that lands inside
 * a compacted region finds its chunk at `chunkStart(sequence)` by `_id` (FerretDB answers nothing else
 * without scanning the collection), so a new value leaves the chunks already written reachable only by
 * that slower scan.
 */
export const CHUNK_EVENTS = 1_000;

/** The first sequence of the chunk that holds `sequence`. */
export function chunkStart(sequence: number): number {
  return Math.floor((sequence - 1) / CHUNK_EVENTS) * CHUNK_EVENTS + 1;
}
