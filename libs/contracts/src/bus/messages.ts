import { z } from 'zod';
import { ERROR_CODE_LIST, type ErrorCode } from '../errors.ts';
import { repositoryNameSchema } from '../repository.ts';
import { eventIdSchema, serverEventSchema, serverSequenceSchema } from '../wire/event.ts';

/** Gateway → sequencer (request/reply, queue group): events already validated by the gateway. */
export const sequenceRequestSchema = z.object({
  repository: repositoryNameSchema,
  events: z.array(z.looseObject({ _event_id: eventIdSchema })).min(1),
});
export type SequenceRequest = z.infer<typeof sequenceRequestSchema>;

export const sequenceResultSchema = z.object({
  eventId: eventIdSchema,
  sequence: serverSequenceSchema,
  duplicate: z.boolean(),
});
export type SequenceResult = z.infer<typeof sequenceResultSchema>;

export const sequenceReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), results: z.array(sequenceResultSchema) }),
  z.object({
    ok: z.literal(false),
    code: z.enum(ERROR_CODE_LIST as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    retryAfterMs: z.number().int().nonnegative().optional(),
  }),
]);
export type SequenceReply = z.infer<typeof sequenceReplySchema>;

/**
 * One append to a repository's log (JetStream): consecutive sequences `fromSequence..toSequence`.
 * Also the shape of the commit broadcast the persister publishes once they are stored.
 */
export const sequencedBatchSchema = z
  .object({
    repository: repositoryNameSchema,
    fromSequence: serverSequenceSchema,
    toSequence: serverSequenceSchema,
    events: z.array(serverEventSchema).min(1),
  })
  .refine(
    (b) => b.toSequence - b.fromSequence + 1 === b.events.length,
    'sequence range does not match events',
  )
  .refine(
    (b) => b.events.every((e, i) => e.serverSequence === b.fromSequence + i),
    'events are not consecutive from fromSequence',
  );
export type SequencedBatch = z.infer<typeof sequencedBatchSchema>;

/** Value of the event-id index: where an event id already sits. */
export const eventIndexEntrySchema = z.object({ sequence: serverSequenceSchema });
export type EventIndexEntry = z.infer<typeof eventIndexEntrySchema>;
