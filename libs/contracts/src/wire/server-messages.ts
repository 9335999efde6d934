import { z } from 'zod';
import { ERROR_CODE_LIST, type ErrorCode } from '../errors.ts';
import { repositoryNameSchema } from '../repository.ts';
import { repositoryPatternSchema } from '../repository-pattern.ts';
import { eventIdSchema, serverEventSchema, serverSequenceSchema } from './event.ts';
import { snapshotCompleteMessageSchema, snapshotMessageSchema } from './snapshot-messages.ts';
import {
  presenceDiffMessageSchema,
  presenceMessageSchema,
  subscribedMessageSchema,
  unsubscribedMessageSchema,
} from './subscription-messages.ts';

export const authSuccessMessageSchema = z.object({
  type: z.literal('auth_success'),
  sessionId: z.string(),
  expiresAt: z.number().int().optional(),
});
export type AuthSuccessMessage = z.infer<typeof authSuccessMessageSchema>;

export const eventsMessageSchema = z.object({
  type: z.literal('events'),
  repository: repositoryNameSchema,
  events: z.array(serverEventSchema),
});
export type EventsMessage = z.infer<typeof eventsMessageSchema>;

export const ackMessageSchema = z.object({
  type: z.literal('ack'),
  eventIds: z.array(eventIdSchema),
  repositories: z.record(z.string(), z.array(eventIdSchema)),
  sequences: z.record(z.string(), serverSequenceSchema),
});
export type AckMessage = z.infer<typeof ackMessageSchema>;

export const syncCompleteMessageSchema = z.object({
  type: z.literal('sync_complete'),
  repository: repositoryNameSchema.optional(),
  lastSequence: z.number().int().nonnegative().optional(),
});
export type SyncCompleteMessage = z.infer<typeof syncCompleteMessageSchema>;

export const serverPingMessageSchema = z.object({ type: z.literal('ping') });
export const serverPongMessageSchema = z.object({ type: z.literal('pong') });

export const errorMessageSchema = z.object({
  type: z.literal('error'),
  message: z.string(),
  code: z.enum(ERROR_CODE_LIST as [ErrorCode, ...ErrorCode[]]),
  eventIds: z.array(eventIdSchema).optional(),
  repository: repositoryPatternSchema.optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type ErrorMessage = z.infer<typeof errorMessageSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  authSuccessMessageSchema,
  eventsMessageSchema,
  ackMessageSchema,
  syncCompleteMessageSchema,
  serverPingMessageSchema,
  serverPongMessageSchema,
  errorMessageSchema,
  subscribedMessageSchema,
  unsubscribedMessageSchema,
  presenceMessageSchema,
  presenceDiffMessageSchema,
  snapshotMessageSchema,
  snapshotCompleteMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
