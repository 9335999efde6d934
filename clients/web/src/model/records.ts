import { z } from 'zod';

/**
 * The records of the counter app, as written by this app and by the Flutter `local_first` counter example.
 * The SDK does not check record types, and other clients may write older or sloppier shapes, so every record
 * read from a repository goes through these schemas; whatever does not parse is left out of the view.
 */

export const REPOSITORIES = {
  user: 'user',
  sessionCounter: 'session_counter',
  counterLog: 'counter_log',
} as const;

const timestampSchema = z.union([z.string(), z.number()]);

export const userRecordSchema = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  avatar_url: z
    .string()
    .nullish()
    .transform((url) => url ?? ''),
  created_at: timestampSchema.optional(),
  updated_at: timestampSchema.optional(),
});
export type UserRecord = z.infer<typeof userRecordSchema>;

export const sessionCounterRecordSchema = z.object({
  id: z.string().min(1),
  username: z.string(),
  session_id: z.string(),
  count: z.number().int(),
  created_at: timestampSchema.optional(),
  updated_at: timestampSchema.optional(),
});
export type SessionCounterRecord = z.infer<typeof sessionCounterRecordSchema>;

export const counterLogRecordSchema = z.object({
  id: z.string().min(1),
  username: z.string(),
  session_id: z.string().optional(),
  increment: z.number().int(),
  created_at: timestampSchema,
});
export type CounterLogRecord = z.infer<typeof counterLogRecordSchema>;

/** Epoch ms of a record timestamp (ISO string, with or without zone, or epoch ms); `undefined` if unreadable. */
export function timestampMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
