import { dataIdOf, type SequencedBatch } from '@lfsync/contracts';
import type { EntityEvent, StoredEvent } from '@lfsync/ports';
import { batchEvents, type BatchFields } from './batch-scan.ts';

type SequencedEvent = SequencedBatch['events'][number];

/** The events of one batch or chunk document that a read takes, and where that document starts. */
export interface HeldEvents {
  holder: number;
  events: StoredEvent[];
}

/**
 * The events with `afterSequence < s ≤ head` of `documents` (in order), each once: documents may overlap
 * while a compaction runs, so an event at or before the last one taken is skipped.
 */
export async function* eventsOfDocuments(
  documents: AsyncIterable<BatchFields>,
  afterSequence: number,
  head: number,
): AsyncGenerator<HeldEvents> {
  let last = afterSequence;
  for await (const document of documents) {
    const events: StoredEvent[] = [];
    for (const [i, json] of batchEvents(document.b).entries()) {
      const sequence = document.f + i;
      if (sequence <= last || sequence > head) continue;
      last = sequence;
      events.push({ sequence, json });
    }
    if (events.length > 0) yield { holder: document.f, events };
  }
}

/** A stored event of the index tail (stored, not indexed yet), parsed. */
export interface TailEvent extends StoredEvent {
  holder: number;
  event: SequencedEvent;
}

/**
 * The events past a repository's indexed sequence, parsed. The tail is what the persister has not indexed
 * yet: its last group or few (more only after a persister stopped between its heads and its index).
 */
export async function tailEvents(held: AsyncIterable<HeldEvents>): Promise<TailEvent[]> {
  const tail: TailEvent[] = [];
  for await (const { holder, events } of held)
    for (const stored of events)
      tail.push({ ...stored, holder, event: JSON.parse(stored.json) as SequencedEvent });
  return tail;
}

/** Entity ids in the order MongoDB and FerretDB sort strings: by their UTF-8 bytes. */
function compareDataIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The latest tail event of each entity after `afterDataId`, in entity order. */
export function latestPerEntity(tail: readonly TailEvent[], afterDataId: string | undefined): EntityEvent[] {
  const latest = new Map<string, EntityEvent>();
  for (const { sequence, json, event } of tail) {
    const dataId = dataIdOf(event);
    if (dataId === undefined || (afterDataId !== undefined && compareDataIds(dataId, afterDataId) <= 0))
      continue;
    latest.set(dataId, { dataId, sequence, json });
  }
  return [...latest.values()].sort((a, b) => compareDataIds(a.dataId, b.dataId));
}

/**
 * A snapshot's pages from the index, with the entities the tail adds or updates merged in, in entity order
 * and in pages of `pageSize`.
 */
export async function* withTail(
  indexed: AsyncIterable<EntityEvent[]>,
  tail: readonly EntityEvent[],
  pageSize: number,
): AsyncGenerator<EntityEvent[]> {
  let next = 0;
  const merged: EntityEvent[] = [];
  for await (const entities of indexed) {
    for (const entity of entities) {
      let latest = entity;
      for (; next < tail.length; next++) {
        const pending = tail[next] as EntityEvent;
        const order = compareDataIds(pending.dataId, entity.dataId);
        if (order > 0) break;
        if (order < 0) merged.push(pending);
        else if (pending.sequence > entity.sequence) latest = pending;
      }
      merged.push(latest);
    }
    while (merged.length >= pageSize) yield merged.splice(0, pageSize);
  }
  merged.push(...tail.slice(next));
  while (merged.length > 0) yield merged.splice(0, pageSize);
}
