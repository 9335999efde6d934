import type { DecodedBatch } from '@lfsync/contracts';

/** One stored event as the verifier needs it: its sequence and event id. */
export interface StoredEventId {
  sequence: number;
  eventId: string;
}

/** One message of the repository's log subject: its stream sequence and what it decoded to. */
export interface LogEntry {
  streamSequence: number;
  decoded: DecodedBatch;
}

export interface VerifyReport {
  head: number;
  storedEvents: number;
  logEvents: number;
  /** Facts that are not faults (e.g. events stored above the head while the persister works). */
  notes: string[];
  problems: string[];
}

/**
 * The store holds exactly 1..head, each event id once; the log's batches are consecutive and agree with the
 * store on every sequence and event id.
 */
export function verifyRepository(
  head: number,
  stored: readonly StoredEventId[],
  log: readonly LogEntry[],
): VerifyReport {
  const notes: string[] = [];
  const problems: string[] = [];
  const store = checkStore(head, stored, notes, problems);
  const logIds = checkLog(log, problems);
  compare(head, store, logIds, notes, problems);
  return { head, storedEvents: store.size, logEvents: logIds.size, notes, problems };
}

function checkStore(head: number, stored: readonly StoredEventId[], notes: string[], problems: string[]) {
  const bySequence = new Map<number, string>();
  let above = 0;
  for (const { sequence, eventId } of stored) {
    if (sequence > head) above++;
    else if (bySequence.has(sequence)) problems.push(`store: sequence ${sequence} stored twice`);
    else bySequence.set(sequence, eventId);
  }
  if (above > 0) notes.push(`store: ${above} event(s) above head ${head} (not yet committed)`);
  for (const range of missingRanges(head, bySequence)) problems.push(`store: missing sequence ${range}`);
  duplicateIds(bySequence, 'store', problems);
  return bySequence;
}

function checkLog(log: readonly LogEntry[], problems: string[]): Map<number, string> {
  const bySequence = new Map<number, string>();
  let next: number | undefined;
  for (const { streamSequence, decoded } of log) {
    if (!decoded.ok) {
      problems.push(`log: message ${streamSequence} is not a sequenced batch (${decoded.reason})`);
      continue;
    }
    const { fromSequence, toSequence, events } = decoded.batch;
    if (next !== undefined && fromSequence !== next) {
      problems.push(`log: message ${streamSequence} starts at ${fromSequence}, expected ${next}`);
    }
    next = toSequence + 1;
    for (const event of events) {
      if (bySequence.has(event.serverSequence))
        problems.push(`log: sequence ${event.serverSequence} logged twice`);
      else bySequence.set(event.serverSequence, event._event_id);
    }
  }
  duplicateIds(bySequence, 'log', problems);
  return bySequence;
}

function compare(
  head: number,
  store: Map<number, string>,
  log: Map<number, string>,
  notes: string[],
  problems: string[],
): void {
  const logSequences = [...log.keys()];
  const logFirst = logSequences.length === 0 ? head + 1 : Math.min(...logSequences);
  const logLast = logSequences.length === 0 ? 0 : Math.max(...logSequences);
  if (logFirst > 1 && head > 0)
    notes.push(`log: starts at sequence ${logFirst} (older messages removed by limits)`);
  if (logLast > head) problems.push(`store: head ${head} is behind the log (last sequence ${logLast})`);
  if (logLast < head) problems.push(`log: ends at sequence ${logLast}, the store's head is ${head}`);
  for (const [sequence, eventId] of store) {
    const logged = log.get(sequence);
    if (logged === undefined && sequence >= logFirst) problems.push(`log: sequence ${sequence} missing`);
    if (logged !== undefined && logged !== eventId) {
      problems.push(
        `sequence ${sequence}: store has ${JSON.stringify(eventId)}, log has ${JSON.stringify(logged)}`,
      );
    }
  }
}

function missingRanges(head: number, present: ReadonlyMap<number, string>): string[] {
  const ranges: string[] = [];
  let start: number | undefined;
  for (let s = 1; s <= head + 1; s++) {
    const missing = s <= head && !present.has(s);
    if (missing && start === undefined) start = s;
    if (!missing && start !== undefined) {
      ranges.push(start === s - 1 ? String(start) : `${start}..${s - 1}`);
      start = undefined;
    }
  }
  return ranges;
}

function duplicateIds(bySequence: ReadonlyMap<number, string>, where: string, problems: string[]): void {
  const seen = new Map<string, number>();
  for (const [sequence, eventId] of bySequence) {
    const first = seen.get(eventId);
    if (first === undefined) seen.set(eventId, sequence);
    else problems.push(`${where}: event id ${JSON.stringify(eventId)} at sequences ${first} and ${sequence}`);
  }
}
