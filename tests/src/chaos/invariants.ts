import { storedEventDocuments } from '@lfsync/testkit';
import type { Db } from 'mongodb';
import type { LiveReader } from './live-reader.ts';
import type { PushRecord } from './reliable-pusher.ts';

/**
 * I1, I2, I4 and I5 over what is stored: per repository sequences exactly 1..N, each event id once, every
 * acked event stored at its acked sequence, and every reader saw exactly the stored events in order.
 * Returns the violations (empty when all hold) and how many events are stored.
 */
export async function checkStored(
  db: Db,
  repositories: readonly string[],
  records: readonly PushRecord[],
  readers: readonly LiveReader[] = [],
): Promise<{ violations: string[]; stored: number }> {
  const violations: string[] = [];
  let stored = 0;
  for (const repository of repositories) {
    const docs = await storedEventDocuments(db, repository);
    stored += docs.length;
    const sequences = docs.map((d) => d['s'] as number);
    if (sequences.some((s, i) => s !== i + 1)) {
      violations.push(
        `I1 ${repository}: sequences are not 1..${docs.length} (highest ${sequences.at(-1)}, ${new Set(sequences).size} distinct)`,
      );
      violations.push(...(await explainMissing(db, repository, sequences)));
    }
    const ids = docs.map((d) => d['e'] as string);
    if (new Set(ids).size !== ids.length) violations.push(`I2 ${repository}: an event id is stored twice`);
    const bySequence = new Map(docs.map((d) => [d['e'] as string, d['s'] as number]));
    for (const record of records.filter((r) => r.repository === repository && r.sequence !== undefined)) {
      if (bySequence.get(record.eventId) !== record.sequence) {
        violations.push(`I4 ${repository}: acked ${record.eventId}@${record.sequence} not stored there`);
      }
    }
    for (const [i, reader] of readers.entries()) {
      const seen = reader.eventIds.get(repository) ?? [];
      if (seen.join() !== ids.join())
        violations.push(`I5 reader${i} ${repository}: saw ${seen.length} events, store has ${ids.length}`);
    }
  }
  for (const [i, reader] of readers.entries())
    violations.push(...reader.violations.map((v) => `I3/I5 reader${i}: ${v}`));
  return { violations, stored };
}

/** For each missing slot: what the batch documents hold there, and where else that event id is stored. */
async function explainMissing(db: Db, repository: string, sequences: number[]): Promise<string[]> {
  const present = new Set(sequences);
  const highest = sequences.at(-1) ?? 0;
  const missing = Array.from({ length: highest }, (_, i) => i + 1).filter((s) => !present.has(s));
  const lines: string[] = [];
  for (const sequence of missing.slice(0, 5)) {
    const batch = await db
      .collection('event_batches')
      .findOne({ r: repository, f: { $lte: sequence }, t: { $gte: sequence } });
    const body = batch?.['b'] as string | string[] | undefined;
    const json = (typeof body === 'string' ? body.split('\n') : body)?.[sequence - (batch?.['f'] as number)];
    const eventId = json === undefined ? undefined : (JSON.parse(json) as { _event_id: string })._event_id;
    const elsewhere =
      eventId === undefined
        ? []
        : await db
            .collection('events')
            .find({ r: repository, e: { $regex: `^${eventId}` } })
            .toArray();
    lines.push(
      `missing ${repository}@${sequence}: batch ${batch === null ? 'none' : `${batch['f']}..${batch['t']}`} holds ${eventId ?? 'nothing'}; events with that id: ${elsewhere.map((d) => `${d['e']}@${d['s']}`).join(', ') || 'none'}`,
    );
  }
  return lines;
}
