import { z } from 'zod';
import { repositoryNameSchema } from '../repository.ts';
import { repositoryPatternSchema } from '../repository-pattern.ts';

/** Per-session presence data the client chooses (size-limited by the gateway). */
export const presenceMetaSchema = z.record(z.string(), z.unknown());
export type PresenceMeta = z.infer<typeof presenceMetaSchema>;

export const subscribeMessageSchema = z.looseObject({
  type: z.literal('subscribe'),
  repository: repositoryPatternSchema,
  afterSequence: z.number().int().nonnegative().optional(),
  presence: z.looseObject({ meta: presenceMetaSchema.optional() }).optional(),
});
export type SubscribeMessage = z.infer<typeof subscribeMessageSchema>;

export const unsubscribeMessageSchema = z.looseObject({
  type: z.literal('unsubscribe'),
  repository: repositoryPatternSchema,
});
export type UnsubscribeMessage = z.infer<typeof unsubscribeMessageSchema>;

export const presenceUpdateMessageSchema = z.looseObject({
  type: z.literal('presence_update'),
  repository: repositoryNameSchema,
  meta: presenceMetaSchema,
});
export type PresenceUpdateMessage = z.infer<typeof presenceUpdateMessageSchema>;

export const presenceMemberSchema = z.object({
  sessionId: z.string().min(1).max(128),
  subject: z.string(),
  meta: presenceMetaSchema,
});
export type PresenceMember = z.infer<typeof presenceMemberSchema>;

export const subscribedMessageSchema = z.object({
  type: z.literal('subscribed'),
  repository: repositoryPatternSchema,
});

export const unsubscribedMessageSchema = z.object({
  type: z.literal('unsubscribed'),
  repository: repositoryPatternSchema,
});

export const presenceMessageSchema = z.object({
  type: z.literal('presence'),
  repository: repositoryNameSchema,
  members: z.array(presenceMemberSchema),
});

export const presenceDiffMessageSchema = z.object({
  type: z.literal('presence_diff'),
  repository: repositoryNameSchema,
  joins: z.array(presenceMemberSchema),
  leaves: z.array(z.string()),
});
