import { AppError, sequenceReplySchema, type BusNames } from '@lfsync/contracts';
import type { SequencerClient } from '@lfsync/ports';
import type { NatsConnection } from '@nats-io/transport-node';

export function natsSequencerClient(nc: NatsConnection, names: BusNames, timeoutMs: number): SequencerClient {
  return {
    async sequence(repository, events) {
      let reply: unknown;
      try {
        const msg = await nc.request(names.sequenceSubject, JSON.stringify({ repository, events }), {
          timeout: timeoutMs,
        });
        reply = msg.json();
      } catch (err) {
        throw new AppError('UNAVAILABLE', 'sequencer did not answer', { cause: err, retryAfterMs: 1_000 });
      }
      const parsed = sequenceReplySchema.safeParse(reply);
      if (!parsed.success)
        throw new AppError('INTERNAL', 'malformed sequencer reply', { cause: parsed.error });
      if (!parsed.data.ok) throw new AppError(parsed.data.code, parsed.data.message);
      return parsed.data.results;
    },
  };
}
