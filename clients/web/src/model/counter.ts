import type { SessionCounterRecord } from './records.ts';

export interface CounterSummary {
  /** The global counter: the sum of every session's count. */
  readonly total: number;
  /** Per username, the sum of that user's sessions. */
  readonly byUser: ReadonlyMap<string, number>;
  /** The count of one session (this browser tab's), 0 when it has no record yet. */
  readonly session: number;
}

/**
 * Every browser session writes only its own `session_counter` record, so the records never conflict and the
 * global counter is simply their sum.
 */
export function summarizeCounters(
  records: readonly SessionCounterRecord[],
  sessionId: string | undefined,
): CounterSummary {
  let total = 0;
  let session = 0;
  const byUser = new Map<string, number>();
  for (const record of records) {
    total += record.count;
    byUser.set(record.username, (byUser.get(record.username) ?? 0) + record.count);
    if (record.id === sessionId) session = record.count;
  }
  return { total, byUser, session };
}

/** The record a session writes after a click: its previous count moved by `delta`. */
export function nextSessionCounter(
  previous: SessionCounterRecord | undefined,
  change: {
    readonly sessionId: string;
    readonly username: string;
    readonly delta: number;
    readonly now: string;
  },
): SessionCounterRecord {
  return {
    id: change.sessionId,
    username: change.username,
    session_id: change.sessionId,
    count: (previous?.count ?? 0) + change.delta,
    created_at: previous?.created_at ?? change.now,
    updated_at: change.now,
  };
}
