import { z } from 'zod';
import type { LocalEvent, PendingEntry, RecordVersion } from '../local/local-event.ts';
import type { StoredRecord, StoredState } from './sync-storage.ts';

// The persisted format of this client (not a wire message): checked when read back, since a file or a
// database may hold anything — an older format, a truncated write, someone's manual edit.

const dataSchema = z.record(z.string(), z.unknown());

const versionSchema = z
  .object({
    eventId: z.string(),
    createdAt: z.union([z.string(), z.number()]),
    data: dataSchema.optional(),
    serverSequence: z.number().int().positive().optional(),
  })
  .transform((v): RecordVersion => ({
    eventId: v.eventId,
    createdAt: v.createdAt,
    data: v.data,
    ...(v.serverSequence === undefined ? {} : { serverSequence: v.serverSequence }),
  }));

const localEventSchema = z
  .object({
    _event_id: z.string().min(1),
    _operation: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    _created_at: z.string(),
    _data_id: z.string(),
    _data: dataSchema.optional(),
  })
  .transform(({ _data, ...rest }): LocalEvent => (_data === undefined ? rest : { ...rest, _data }));

export const storedRecordSchema = z.object({
  repository: z.string(),
  id: z.string(),
  version: versionSchema,
}) satisfies z.ZodType<StoredRecord>;

export const pendingEntrySchema = z
  .object({
    order: z.number(),
    repository: z.string(),
    event: localEventSchema,
    ackedSequence: z.number().int().positive().optional(),
  })
  .transform(({ ackedSequence, ...rest }): PendingEntry =>
    ackedSequence === undefined ? rest : { ...rest, ackedSequence },
  );

const cursorsSchema = z.record(z.string(), z.number().int().nonnegative());

export const storedStateSchema = z.object({
  records: z.array(storedRecordSchema),
  cursors: cursorsSchema,
  pending: z.array(pendingEntrySchema),
}) satisfies z.ZodType<StoredState>;
