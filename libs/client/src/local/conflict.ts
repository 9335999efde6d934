import { createdAtMs } from './created-at.ts';
import type { RecordData, RecordVersion } from './local-event.ts';

/** Which write survives: the current one, the incoming one, or a merge of both. */
export type Resolution = 'current' | 'incoming' | { readonly merged: RecordData };

export interface ConflictInput {
  readonly repository: string;
  readonly id: string;
  /** What the record holds now (the server-ordered state, or a pending local write on top of it). */
  readonly current: RecordVersion;
  /** The write being applied after it. */
  readonly incoming: RecordVersion;
}

/**
 * Decides what a record holds when a write lands on an existing version. It must be a pure, deterministic
 * function of its input: every client folds the same server-ordered writes with it and must reach the
 * same state. It also runs to compute the optimistic local view, possibly several times for one write.
 */
export type ConflictResolver = (input: ConflictInput) => Resolution;

/** Total order of writes: `_created_at`, then `_event_id` as the tie-break. */
export function compareVersions(a: RecordVersion, b: RecordVersion): number {
  const byTime = createdAtMs(a.createdAt) - createdAtMs(b.createdAt);
  if (byTime !== 0) return byTime;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** The default: the later write wins, whatever order the server received them in. */
export const lastWriterWins: ConflictResolver = ({ current, incoming }) =>
  compareVersions(incoming, current) > 0 ? 'incoming' : 'current';

/** Reported when a write did not simply replace the record: it was discarded or merged. */
export interface ConflictReport {
  readonly repository: string;
  readonly id: string;
  readonly resolution: 'current' | 'merged';
  readonly current: RecordVersion;
  readonly incoming: RecordVersion;
  /** What the record holds afterwards. */
  readonly result: RecordVersion;
  /** The incoming (discarded or merged) write was made by this client. */
  readonly incomingIsLocal: boolean;
}

export interface FoldResult {
  readonly version: RecordVersion;
  readonly resolution: 'incoming' | 'current' | 'merged';
}

/** Applies one write to a record's version with the resolver. */
export function foldVersion(
  resolver: ConflictResolver,
  input: {
    readonly repository: string;
    readonly id: string;
    readonly current: RecordVersion | undefined;
    readonly incoming: RecordVersion;
  },
): FoldResult {
  const { current, incoming } = input;
  if (current === undefined) return { version: incoming, resolution: 'incoming' };
  const resolution = resolver({ repository: input.repository, id: input.id, current, incoming });
  if (resolution === 'incoming') return { version: incoming, resolution: 'incoming' };
  if (resolution === 'current') return { version: current, resolution: 'current' };
  const later = compareVersions(incoming, current) >= 0 ? incoming : current;
  return {
    version: { ...incoming, createdAt: later.createdAt, data: resolution.merged },
    resolution: 'merged',
  };
}
