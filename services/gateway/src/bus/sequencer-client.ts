import { AppError, errorOfReply, sequenceReplySchema, type BusNames } from '@lfsync/contracts';
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
        throw new AppError('UNAVAILABLE', 'sequencer did not answer', { cause: err });
      }
      const parsed = sequenceReplySchema.safeParse(reply);
      if (!parsed.success)
        throw new AppError('INTERNAL', 'malformed sequencer reply', { cause: parsed.error });
      if (!parsed.data.ok) throw errorOfReply(parsed.data);
      return parsed.data.results;
    },
  };
}
