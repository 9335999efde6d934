import { Binary } from 'mongodb';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Events per chunk document (batch-compaction.ts). Part of the stored format: a reader that lands inside
 * a compacted region finds its chunk at `chunkStart(sequence)` by `_id` (FerretDB answers nothing else
 * without scanning the collection), so a new value leaves the chunks already written reachable only by
 * that slower scan.
 */
export const CHUNK_EVENTS = 1_000;
const NEWLINE = 0x0a;

/** The first sequence of the chunk that holds `sequence`. */
export function chunkStart(sequence: number): number {
  return Math.floor((sequence - 1) / CHUNK_EVENTS) * CHUNK_EVENTS + 1;
}

/**
 * A chunk's body: `texts` (its events' JSON texts, or runs of them already joined) joined by `\n`,
 * deflated (raw, level 1). FerretDB's cost per document grows with its bytes — about 1 CPU-second per
 * 20 MB read, whether a string or binary — and event JSON repeats its keys in every event, so the chunks a
 * catch-up reads shrink several times. The texts are written into one buffer: joining them into one
 * string first, then encoding it, cost five times the deflate.
 */
export function chunkBody(texts: readonly string[]): Binary {
  let bytes = Math.max(0, texts.length - 1);
  for (const text of texts) bytes += Buffer.byteLength(text);
  const joined = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const [i, text] of texts.entries()) {
    if (i > 0) joined[at++] = NEWLINE;
    at += joined.write(text, at);
  }
  if (at !== bytes) throw new Error(`chunk body: wrote ${at} of ${bytes} bytes`);
  return new Binary(deflateRawSync(joined, { level: 1 }));
}

export function chunkEvents(body: Binary): string[] {
  return inflateRawSync(body.buffer.subarray(0, body.position)).toString('utf8').split('\n');
}
