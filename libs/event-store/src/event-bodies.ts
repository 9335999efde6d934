import type { Collection } from 'mongodb';
import { batchEvents, type BatchDocument, type BatchFields, type BatchReadPlan } from './batch-scan.ts';
import { chunkStart } from './chunk-layout.ts';

/**
 * What a per-event document says about its JSON: the start of its log batch (`f`), or — written before
 * the events collection left the JSON out — the JSON itself (`b`).
 */
export interface EventRef {
  s: number;
  f?: number;
  b?: string;
}

type Holder = BatchFields & { _id: string };
const HOLDER_FIELDS = { _id: 1, f: 1, t: 1, b: 1 } as const;
const BOTH = (ids: string[]) => ids;
const CHUNK = (ids: string[]) => ids.slice(0, 1);
const BATCH = (ids: string[]) => ids.slice(1);
/** `_id` lookups kept in flight at once on FerretDB (one pool connection each). */
const LOOKUPS_IN_FLIGHT = 16;

/**
 * The JSON of each event, in the order of `refs`, taken from the batch or chunk document that holds its
 * sequence: the chunk (or the split-off rest of a batch) at `<r>:<chunkStart(s)>`, else its batch at
 * `<r>:<f>`. Each document is read once and decoded once per call. A batch merged into a chunk between
 * the reads of the two ids can hide an event from both: those are looked up once more (the chunk is then
 * there). On MongoDB (`range`) all ids go in one `_id: {$in}`. FerretDB sends only an `{_id: value}`
 * filter to SQL (an `$in` scans the whole collection), so there each id is its own lookup: the chunks
 * first, then the batches of the events no chunk held (most of a compacted repository's batches are gone).
 */
export async function eventBodies(
  batches: Collection<BatchDocument>,
  plan: BatchReadPlan,
  repository: string,
  refs: readonly EventRef[],
): Promise<string[]> {
  const found = new Map<number, string>();
  let wanted = refs.filter((ref) => ref.b === undefined);
  for (let attempt = 0; attempt < 2 && wanted.length > 0; attempt++)
    for (const which of plan === 'range' ? [BOTH] : [CHUNK, BATCH]) {
      const ids = [...new Set(wanted.flatMap((ref) => which(holderIds(repository, ref))))];
      const holders = new Map((await readHolders(batches, plan, ids)).map((h) => [h._id, h]));
      const decoded = new Map<string, string[]>();
      for (const ref of wanted) {
        const json = eventIn(holderIds(repository, ref), ref.s, holders, decoded);
        if (json !== undefined) found.set(ref.s, json);
      }
      wanted = wanted.filter((ref) => !found.has(ref.s));
    }
  return refs.map((ref) => {
    const json = ref.b ?? found.get(ref.s);
    if (json === undefined)
      throw new Error(`event ${ref.s} of ${repository}: no batch or chunk document holds it`);
    return json;
  });
}

function holderIds(repository: string, ref: EventRef): string[] {
  if (ref.f === undefined)
    throw new Error(`event ${ref.s} of ${repository}: its document has neither its JSON nor its batch`);
  const start = chunkStart(ref.s);
  return start === ref.f ? [`${repository}:${start}`] : [`${repository}:${start}`, `${repository}:${ref.f}`];
}

function eventIn(
  ids: readonly string[],
  sequence: number,
  holders: ReadonlyMap<string, Holder>,
  decoded: Map<string, string[]>,
): string | undefined {
  for (const id of ids) {
    const holder = holders.get(id);
    if (holder === undefined || holder.f > sequence || holder.t < sequence) continue;
    let events = decoded.get(id);
    if (events === undefined) {
      events = batchEvents(holder.b);
      decoded.set(id, events);
    }
    const json = events[sequence - holder.f];
    if (json !== undefined) return json;
  }
  return undefined;
}

async function readHolders(
  batches: Collection<BatchDocument>,
  plan: BatchReadPlan,
  ids: readonly string[],
): Promise<Holder[]> {
  if (plan === 'range')
    return batches.find<Holder>({ _id: { $in: [...ids] } }, { projection: HOLDER_FIELDS }).toArray();
  const holders: Holder[] = [];
  let next = 0;
  const lookUp = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      const holder = await batches.findOne<Holder>({ _id: id }, { projection: HOLDER_FIELDS });
      if (holder !== null) holders.push(holder);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, ids.length) }, lookUp));
  return holders;
}
