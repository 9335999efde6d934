import type { SequencerClient } from '@lfsync/ports';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CommitTracker } from './commit-tracker.ts';
import { PushService } from './push-service.ts';

const LIMITS = { maxBatchEvents: 10, maxDataBytes: 300, maxDataDepth: 8, ackTimeoutMs: 1_000 };

/** A sequencer that commits at once and keeps the JSON each request carried. */
function pushService() {
  const sent: string[][] = [];
  const commits = new CommitTracker({ head: () => Promise.resolve(0) });
  let head = 0;
  const sequencer: SequencerClient = {
    sequence(repository, events, eventsJson) {
      sent.push([...(eventsJson ?? events.map((e) => JSON.stringify(e)))]);
      const results = events.map((e) => ({
        eventId: e['_event_id'] as string,
        sequence: ++head,
        duplicate: false,
      }));
      commits.committed(repository, head);
      return Promise.resolve(results);
    },
  };
  return { service: new PushService(sequencer, commits, LIMITS, pino({ level: 'silent' })), sent };
}

const event = (id: string, data: Record<string, unknown> = { id }) => ({
  _event_id: id,
  _operation: 0,
  _created_at: 1,
  _data: data,
});

describe('PushService with the events as the client wrote them', () => {
  it('sends an event accepted as it is in its own text, and serialises one the schema changed', async () => {
    const { service, sent } = pushService();
    const kept = event('a');
    const stripped = { ...event('b'), serverSequence: 9 };
    const texts = [
      '{ "_event_id":"a", "_operation":0, "_created_at":1, "_data":{"id":"a"} }',
      JSON.stringify(stripped),
    ];
    const outcome = await service.push('notes', [kept, stripped], texts);
    expect(outcome.acked.map((r) => r.eventId)).toEqual(['a', 'b']);
    expect(sent).toEqual([[texts[0], JSON.stringify(event('b'))]]);
  });

  it('serialises every event when the texts do not match the events one for one', async () => {
    const { service, sent } = pushService();
    await service.push('notes', [event('a'), event('b')], ['{}']);
    expect(sent).toEqual([[JSON.stringify(event('a')), JSON.stringify(event('b'))]]);
  });

  it('still measures _data when the text is over the limit', async () => {
    const { service, sent } = pushService();
    const small = event('a', { s: 'x'.repeat(50) });
    const spaced = JSON.stringify(small, null, 40);
    expect(spaced.length * 3).toBeGreaterThan(LIMITS.maxDataBytes);
    const large = event('b', { s: 'x'.repeat(400) });
    const outcome = await service.push('notes', [small, large], [spaced, JSON.stringify(large)]);
    expect(outcome.acked.map((r) => r.eventId)).toEqual(['a']);
    expect(outcome.rejected).toEqual([
      { code: 'PAYLOAD_TOO_LARGE', message: '_data is larger than 300 bytes', eventIds: ['b'] },
    ]);
    expect(sent).toEqual([[spaced]]);
  });
});
