import { sequencedBatchSchema, type SequencedBatch } from './messages.ts';

const utf8 = new TextDecoder();

export type DecodedBatch = { ok: true; batch: SequencedBatch } | { ok: false; reason: string };

/**
 * A log message or commit broadcast (the JSON of a `SequencedBatch`, as bytes or text), validated. Bytes
 * that are not JSON fail like JSON that is not a batch; the reason names the first problems.
 */
export function decodeSequencedBatch(data: Uint8Array | string): DecodedBatch {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : utf8.decode(data));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = sequencedBatchSchema.safeParse(json);
  if (parsed.success) return { ok: true, batch: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, reason: issues.join('; ') };
}
