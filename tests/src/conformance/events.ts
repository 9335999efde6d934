import type { SequencedBatch, ServerEvent } from '@lfsync/contracts';

/** A stored-shape event; `_data` carries keys a document database must not interpret. */
export function serverEvent(id: string, sequence: number, data: Record<string, unknown> = {}): ServerEvent {
  return {
    _event_id: id,
    _operation: 0,
    _created_at: '2025-01-01T00:00:00.000Z',
    _data: { id: `d-${id}`, 'a.b': 1, $weird: true, ...data },
    serverSequence: sequence,
  };
}

/** A batch of consecutive sequences from `from`, one event per id. */
export function batch(repository: string, from: number, ids: readonly string[]): SequencedBatch {
  return {
    repository,
    fromSequence: from,
    toSequence: from + ids.length - 1,
    events: ids.map((id, i) => serverEvent(id, from + i)),
  };
}

/** An event the way a client pushes one. */
export function clientEvent(id: string, data: Record<string, unknown> = {}) {
  return { _event_id: id, _operation: 0, _created_at: new Date().toISOString(), _data: { id, ...data } };
}
