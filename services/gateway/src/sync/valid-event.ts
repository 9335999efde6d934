import { isDelete, isEventId, isOperation, isPlainRecord, validCreatedAt } from '@lfsync/contracts';

/** The keys of `clientEventSchema`'s shape, in its order: zod's output lists them first, in this order. */
const SHAPE_KEYS = ['_event_id', '_operation', '_created_at', '_data', '_data_id'] as const;
const SHAPE_RANK = new Map<string, number>(SHAPE_KEYS.map((key, i) => [key, i]));
const MAX_DATA_ID_LENGTH = 256;

/**
 * The event exactly as `clientEventSchema.parse` would return it, or undefined when this cheap check is
 * not sure (the caller then asks zod, which also words the error). It accepts only what the schema accepts
 * and copies nothing in the common case: zod builds a new object and a new `_data` per event, which was
 * most of the gateway's validation time. A `__proto__` key (which zod drops) is always left to zod.
 */
export function validEvent(raw: unknown): Record<string, unknown> | undefined {
  if (!isPlainRecord(raw)) return undefined;
  if (!isEventId(raw['_event_id'])) return undefined;
  const operation = raw['_operation'];
  if (!isOperation(operation)) return undefined;
  if (!validCreatedAt(raw['_created_at'])) return undefined;
  const data = raw['_data'];
  if (data !== undefined && !isPlainRecord(data)) return undefined;
  const dataId = raw['_data_id'];
  if (dataId !== undefined && (typeof dataId !== 'string' || dataId.length === 0)) return undefined;
  if (typeof dataId === 'string' && dataId.length > MAX_DATA_ID_LENGTH) return undefined;
  if (isDelete(operation) ? dataId === undefined : data === undefined) return undefined;
  return inSchemaOrder(raw);
}

/**
 * `raw` itself when its keys already come in the order zod would give them and it holds no `serverSequence`
 * or `_id` (which the schema removes); otherwise a copy in that order without them.
 */
function inSchemaOrder(raw: Record<string, unknown>): Record<string, unknown> {
  let rank = -1;
  let ordered = true;
  for (const key in raw) {
    if (key === 'serverSequence' || key === '_id') {
      ordered = false;
      break;
    }
    const keyRank = SHAPE_RANK.get(key) ?? SHAPE_KEYS.length;
    if (keyRank < rank) ordered = false;
    rank = keyRank;
  }
  if (ordered) return raw;
  const copy: Record<string, unknown> = {};
  for (const key of SHAPE_KEYS) if (raw[key] !== undefined) copy[key] = raw[key];
  for (const key in raw)
    if (!SHAPE_RANK.has(key) && key !== 'serverSequence' && key !== '_id') copy[key] = raw[key];
  return copy;
}
