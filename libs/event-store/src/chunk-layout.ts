import { Binary } from 'mongodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

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

/**
 * A chunk's body: its events' JSON texts joined by `\n` (`text`), deflated (raw, level 1). FerretDB's cost per
 * document grows with its bytes — about 1 CPU-second per 20 MB read, whether a string or binary — and
 * event JSON repeats its keys in every event, so the chunks a catch-up reads shrink several times.
 */
export function chunkBody(text: string): Binary {
  return new Binary(deflateRawSync(Buffer.from(text), { level: 1 }));
}

export function chunkEvents(body: Binary): string[] {
  return inflateRawSync(body.buffer.subarray(0, body.position)).toString('utf8').split('\n');
}
