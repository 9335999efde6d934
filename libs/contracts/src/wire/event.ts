import { z } from 'zod';

export const MAX_EVENT_ID_LENGTH = 128;

export const eventIdSchema = z.string().min(1).max(MAX_EVENT_ID_LENGTH);
export type EventId = z.infer<typeof eventIdSchema>;

/**
 * What `eventIdSchema` accepts, without zod (the hand checks of the hot paths). zod counts code points: a
 * surrogate pair is one, a lone surrogate one too.
 */
export function isEventId(value: unknown): value is EventId {
  if (typeof value !== 'string' || value.length === 0) return false;
  if (value.length <= MAX_EVENT_ID_LENGTH) return true;
  let codePoints = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    if ((value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      codePoints--;
      i++;
    }
  }
  return codePoints <= MAX_EVENT_ID_LENGTH;
}

/** 0 insert, 1 update, 2 delete; the Dart client may also send the names. */
export const operationSchema = z.union([
  z.literal(0),
  z.literal(1),
  z.literal(2),
  z.literal('insert'),
  z.literal('update'),
  z.literal('delete'),
]);
export type Operation = z.infer<typeof operationSchema>;

const OPERATIONS = new Set<unknown>(operationSchema.options.map((literal) => literal.value));

/** What `operationSchema` accepts, without zod (the hand checks of the hot paths). */
export function isOperation(value: unknown): value is Operation {
  return OPERATIONS.has(value);
}

export function isDelete(operation: Operation): boolean {
  return operation === 2 || operation === 'delete';
}

/** ISO-8601 with 0–6 fractional digits, `Z`, an offset or no zone (read as UTC); or epoch milliseconds. */
export const ISO_TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$/;
export const createdAtSchema = z.union([
  z.string().regex(ISO_TIMESTAMP_PATTERN, 'expected ISO-8601 timestamp'),
  z.number().int().nonnegative(),
]);

const dataSchema = z.record(z.string(), z.unknown());

/**
 * An event as a client sends it. Unknown keys are kept (the server stores the event as given);
 * a client-supplied `serverSequence` or `_id` is removed.
 */
export const clientEventSchema = z
  .looseObject({
    _event_id: eventIdSchema,
    _operation: operationSchema,
    _created_at: createdAtSchema,
    _data: dataSchema.optional(),
    _data_id: z.string().min(1).max(256).optional(),
    serverSequence: z.unknown().optional(),
    _id: z.unknown().optional(),
  })
  .superRefine((event, ctx) => {
    if (isDelete(event._operation)) {
      if (event._data_id === undefined) {
        ctx.addIssue({ code: 'custom', path: ['_data_id'], message: '_data_id is required for delete' });
      }
    } else if (event._data === undefined) {
      ctx.addIssue({ code: 'custom', path: ['_data'], message: '_data is required for insert and update' });
    }
  })
  .transform(({ serverSequence: _s, _id: _i, ...rest }) => rest);
export type ClientEvent = z.infer<typeof clientEventSchema>;

export const serverSequenceSchema = z.number().int().positive();

/** An event as the server stores and sends it. */
export const serverEventSchema = z.looseObject({
  _event_id: eventIdSchema,
  _operation: operationSchema,
  _created_at: createdAtSchema,
  _data: dataSchema.optional(),
  _data_id: z.string().optional(),
  serverSequence: serverSequenceSchema,
});
export type ServerEvent = z.infer<typeof serverEventSchema>;

/** The entity id of an event: `_data_id`, else `_data.id` when it is a string. */
export function dataIdOf(event: {
  _data_id?: string | undefined;
  _data?: Record<string, unknown> | undefined;
}): string | undefined {
  if (event._data_id !== undefined) return event._data_id;
  const id = event._data?.['id'];
  return typeof id === 'string' ? id : undefined;
}
