import { isRepositoryName } from '../repository.ts';
import { isEventId, isOperation } from '../wire/event.ts';
import { isPlainRecord, validCreatedAt } from '../wire/plain-values.ts';
import { decodeSequencedBatch } from './decode-batch.ts';
import { jsonArrayItems } from './json-array-items.ts';
import type { SequencedBatch } from './messages.ts';

/** A log message or commit broadcast: the batch, and each event's JSON as clients receive it. */
export type DecodedBatchJson =
  { ok: true; batch: SequencedBatch; eventsJson: string[] } | { ok: false; reason: string };

const utf8 = new TextDecoder();

/** How the sequencer's `JSON.stringify` of a batch begins, up to the events' array. */
const ENVELOPE = /^\{"repository":"[^"\\]*","fromSequence":\d+,"toSequence":\d+,"events":(?=\[)/;

/**
 * A log message or commit broadcast, decoded with each event's JSON. The sequencer wrote it (the persister
 * forwards it as it is): when it has that exact shape, a hand check that accepts only what
 * `sequencedBatchSchema` accepts replaces zod (the gateway's largest cost per commit), and each event's JSON
 * is cut out of the message instead of being serialised again. Anything else takes the full zod path, which
 * also words the reason. The texts are trusted to be the sequencer's `JSON.stringify` (only it may publish
 * to the log): a number written `4.0` or a key given twice would be kept as written.
 */
export function decodeBatchJson(data: Uint8Array | string): DecodedBatchJson {
  const text = typeof data === 'string' ? data : utf8.decode(data);
  const eventsAt = ENVELOPE.exec(text)?.[0].length;
  if (eventsAt !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
    const split = jsonArrayItems(text, eventsAt);
    if (split !== undefined && split.end === text.length - 2 && isSequencedBatch(json)) {
      if (split.items.length === json.events.length)
        return { ok: true, batch: json, eventsJson: split.items };
    }
  }
  const decoded = decodeSequencedBatch(text);
  return decoded.ok ? { ...decoded, eventsJson: eventsJsonOf(decoded.batch) } : decoded;
}

/** Each event's JSON text, serialised. */
export function eventsJsonOf(batch: SequencedBatch): string[] {
  return batch.events.map((e) => JSON.stringify(e));
}

function isSequencedBatch(json: unknown): json is SequencedBatch {
  if (!isPlainRecord(json)) return false;
  const { repository, fromSequence, toSequence, events } = json;
  if (typeof repository !== 'string' || !isRepositoryName(repository)) return false;
  if (!isSequence(fromSequence) || !isSequence(toSequence) || !Array.isArray(events)) return false;
  if (events.length === 0 || toSequence - fromSequence + 1 !== events.length) return false;
  for (let i = 0; i < events.length; i++) {
    if (!isServerEvent(events[i], fromSequence + i)) return false;
  }
  return true;
}

/** What `serverEventSchema` accepts, at the given sequence. */
function isServerEvent(event: unknown, sequence: number): boolean {
  if (!isPlainRecord(event) || event['serverSequence'] !== sequence) return false;
  if (!isEventId(event['_event_id'])) return false;
  if (!isOperation(event['_operation']) || !validCreatedAt(event['_created_at'])) return false;
  const data = event['_data'];
  const dataId = event['_data_id'];
  return (data === undefined || isPlainRecord(data)) && (dataId === undefined || typeof dataId === 'string');
}

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
