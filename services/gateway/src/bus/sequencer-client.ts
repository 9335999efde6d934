import {
  AppError,
  errorOfReply,
  MAX_EVENT_ID_LENGTH,
  sequenceReplySchema,
  type BusNames,
  type SequenceResult,
} from '@lfsync/contracts';
import type { SequencerClient } from '@lfsync/ports';
import type { NatsConnection } from '@nats-io/transport-node';

export function natsSequencerClient(nc: NatsConnection, names: BusNames, timeoutMs: number): SequencerClient {
  return {
    async sequence(repository, events, eventsJson) {
      let reply: unknown;
      try {
        const msg = await nc.request(names.sequenceSubject, requestText(repository, events, eventsJson), {
          timeout: timeoutMs,
        });
        reply = msg.json();
      } catch (err) {
        throw new AppError('UNAVAILABLE', 'sequencer did not answer', { cause: err });
      }
      const results = successfulResults(reply);
      if (results !== undefined) return results;
      const parsed = sequenceReplySchema.safeParse(reply);
      if (!parsed.success)
        throw new AppError('INTERNAL', 'malformed sequencer reply', { cause: parsed.error });
      if (!parsed.data.ok) throw errorOfReply(parsed.data);
      return parsed.data.results;
    },
  };
}

/** `JSON.stringify({ repository, events })`, from the events' JSON when the caller has it. */
function requestText(
  repository: string,
  events: readonly Record<string, unknown>[],
  eventsJson: readonly string[] | undefined,
): string {
  if (eventsJson?.length !== events.length) return JSON.stringify({ repository, events });
  return `{"repository":${JSON.stringify(repository)},"events":[${eventsJson.join(',')}]}`;
}

/**
 * The results of a successful reply that `sequenceReplySchema` accepts, checked without zod's copies (the
 * reply has an entry per event); undefined for anything else, which the schema then reads.
 */
function successfulResults(reply: unknown): SequenceResult[] | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const { ok, results } = reply as { ok?: unknown; results?: unknown };
  if (ok !== true || !Array.isArray(results)) return undefined;
  for (const result of results as unknown[]) if (!isSequenceResult(result)) return undefined;
  return results as SequenceResult[];
}

function isSequenceResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { eventId, sequence, duplicate } = value as Record<string, unknown>;
  return (
    typeof eventId === 'string' &&
    eventId.length > 0 &&
    eventId.length <= MAX_EVENT_ID_LENGTH &&
    typeof sequence === 'number' &&
    Number.isSafeInteger(sequence) &&
    sequence > 0 &&
    typeof duplicate === 'boolean'
  );
}
