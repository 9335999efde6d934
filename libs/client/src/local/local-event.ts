/** The payload of a record: a JSON object. */
export type RecordData = Record<string, unknown>;

/** `0` insert (the record is new locally), `1` update, `2` delete — the wire encoding of docs/protocol.md. */
export type LocalOperation = 0 | 1 | 2;

/** An event this client writes: the wire event of docs/protocol.md, minus the server's `serverSequence`. */
export interface LocalEvent {
  readonly _event_id: string;
  readonly _operation: LocalOperation;
  /** ISO-8601 UTC with milliseconds. */
  readonly _created_at: string;
  readonly _data_id: string;
  /** Absent for a delete. */
  readonly _data?: RecordData;
}

/** A local event waiting in the queue; `ackedSequence` once the server stored it but before it was applied in order. */
export interface PendingEntry {
  /** Queue position; ascending in write order, across restarts. */
  readonly order: number;
  readonly repository: string;
  readonly event: LocalEvent;
  readonly ackedSequence?: number;
}

/** One write of a record as it takes part in conflict resolution; `data` is `undefined` for a delete. */
export interface RecordVersion {
  readonly eventId: string;
  readonly createdAt: string | number;
  readonly data: RecordData | undefined;
  /** Set once the server ordered the write. */
  readonly serverSequence?: number;
}

export function versionOfLocalEvent(event: LocalEvent): RecordVersion {
  return { eventId: event._event_id, createdAt: event._created_at, data: event._data };
}
