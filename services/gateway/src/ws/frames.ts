import type { SequencedBatch, SequenceResult } from '@lfsync/contracts';

/** A text frame: a broadcast is encoded to a Buffer once and the same bytes go to every session. */
export type Frame = string | Buffer;

/** Server frames are built as strings: a broadcast is serialised once, not once per session. */
export function eventsFrame(repository: string, eventsJson: readonly string[]): string {
  return `{"type":"events","repository":${JSON.stringify(repository)},"events":[${eventsJson.join(',')}]}`;
}

/** Each event of a committed batch as the JSON clients receive: computed once per commit per gateway. */
export function eventsJsonOf(batch: SequencedBatch): string[] {
  return batch.events.map((e) => JSON.stringify(e));
}

export function ackFrame(repository: string, results: readonly SequenceResult[]): string {
  const eventIds = results.map((r) => r.eventId);
  return JSON.stringify({
    type: 'ack',
    eventIds,
    repositories: { [repository]: eventIds },
    sequences: Object.fromEntries(results.map((r) => [r.eventId, r.sequence])),
  });
}

export function syncCompleteFrame(repository: string | undefined, lastSequence: number | undefined): string {
  return JSON.stringify({
    type: 'sync_complete',
    ...(repository === undefined ? {} : { repository }),
    ...(lastSequence === undefined ? {} : { lastSequence }),
  });
}

export function snapshotFrame(repository: string, sequence: number, eventsJson: readonly string[]): string {
  return `{"type":"snapshot","repository":${JSON.stringify(repository)},"sequence":${sequence},"events":[${eventsJson.join(',')}]}`;
}

export function snapshotCompleteFrame(repository: string, sequence: number, count: number): string {
  return JSON.stringify({ type: 'snapshot_complete', repository, sequence, count });
}
