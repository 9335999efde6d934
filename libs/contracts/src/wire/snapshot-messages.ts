import { z } from 'zod';
import { repositoryNameSchema } from '../repository.ts';
import { serverEventSchema } from './event.ts';

/**
 * A fresh client's start from the state instead of the whole log: the latest event of each entity up to
 * the head S, then every event after S. `minRatio`: only when the log up to S holds at least that many
 * events per entity of the snapshot; otherwise the answer is the log from sequence 1, as for `request_events`.
 */
export const requestSnapshotMessageSchema = z.looseObject({
  type: z.literal('request_snapshot'),
  repository: repositoryNameSchema,
  limit: z.number().int().positive().optional(),
  minRatio: z.number().min(1).max(1_000_000).optional(),
});
export type RequestSnapshotMessage = z.infer<typeof requestSnapshotMessageSchema>;

/** One page of a snapshot: events in entity order, not in sequence order. */
export const snapshotMessageSchema = z.object({
  type: z.literal('snapshot'),
  repository: repositoryNameSchema,
  sequence: z.number().int().nonnegative(),
  events: z.array(serverEventSchema),
});
export type SnapshotMessage = z.infer<typeof snapshotMessageSchema>;

/** The end of a snapshot's pages: the client's cursor is now `sequence`; the events after it follow. */
export const snapshotCompleteMessageSchema = z.object({
  type: z.literal('snapshot_complete'),
  repository: repositoryNameSchema,
  sequence: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
});
export type SnapshotCompleteMessage = z.infer<typeof snapshotCompleteMessageSchema>;

/** `GET /api/snapshot/{repository}?at=&after=&limit=`: `at` fixes S across pages, `after` resumes. */
export const restSnapshotQuerySchema = z.object({
  at: z.coerce.number().int().nonnegative().optional(),
  after: z.string().max(256).optional(),
  limit: z.coerce.number().int().positive().optional(),
});
