import { z } from 'zod';
import { repositoryNameSchema } from '../repository.ts';
import { clientEventSchema } from './event.ts';
import { requestSnapshotMessageSchema } from './snapshot-messages.ts';
import {
  presenceUpdateMessageSchema,
  subscribeMessageSchema,
  unsubscribeMessageSchema,
} from './subscription-messages.ts';

/** Every client frame has a string `type`; the gateway reads it first to answer unknown types precisely. */
export const frameEnvelopeSchema = z.looseObject({ type: z.string().min(1).max(64) });

/**
 * `token` is ours; the Dart client instead spreads its headers into the frame,
 * e.g. `{"type":"auth","Authorization":"Bearer …"}`.
 */
export const authMessageSchema = z.looseObject({
  type: z.literal('auth'),
  token: z.string().max(16_384).optional(),
});
export type AuthMessage = z.infer<typeof authMessageSchema>;

export const pingMessageSchema = z.looseObject({ type: z.literal('ping') });
export const pongMessageSchema = z.looseObject({ type: z.literal('pong') });

export const pushEventMessageSchema = z.looseObject({
  type: z.literal('push_event'),
  repository: repositoryNameSchema,
  event: clientEventSchema,
});
export type PushEventMessage = z.infer<typeof pushEventMessageSchema>;

/**
 * Events are validated one by one by the gateway (so one bad event is reported, not the whole batch),
 * hence `unknown` here.
 */
export const pushEventsBatchMessageSchema = z.looseObject({
  type: z.literal('push_events_batch'),
  repository: repositoryNameSchema,
  events: z.array(z.unknown()),
});
export type PushEventsBatchMessage = z.infer<typeof pushEventsBatchMessageSchema>;

export const requestEventsMessageSchema = z.looseObject({
  type: z.literal('request_events'),
  repository: repositoryNameSchema,
  afterSequence: z.number().int().nonnegative().optional(),
  limit: z.number().int().positive().optional(),
});
export type RequestEventsMessage = z.infer<typeof requestEventsMessageSchema>;

export const requestAllEventsMessageSchema = z.looseObject({
  type: z.literal('request_all_events'),
  repository: repositoryNameSchema.optional(),
  limit: z.number().int().positive().optional(),
});
export type RequestAllEventsMessage = z.infer<typeof requestAllEventsMessageSchema>;

export const eventsReceivedMessageSchema = z.looseObject({
  type: z.literal('events_received'),
  repository: repositoryNameSchema,
  count: z.number().int().nonnegative(),
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  authMessageSchema,
  pingMessageSchema,
  pongMessageSchema,
  pushEventMessageSchema,
  pushEventsBatchMessageSchema,
  requestEventsMessageSchema,
  requestAllEventsMessageSchema,
  eventsReceivedMessageSchema,
  subscribeMessageSchema,
  unsubscribeMessageSchema,
  presenceUpdateMessageSchema,
  requestSnapshotMessageSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];

export const CLIENT_MESSAGE_TYPES = [
  'auth',
  'ping',
  'pong',
  'push_event',
  'push_events_batch',
  'request_events',
  'request_all_events',
  'events_received',
  'subscribe',
  'unsubscribe',
  'presence_update',
  'request_snapshot',
] as const satisfies readonly ClientMessageType[];

/** The bearer token of an auth frame: `token`, else an `Authorization: Bearer …` header spread in. */
export function tokenOfAuthMessage(message: AuthMessage): string | undefined {
  if (message.token !== undefined && message.token !== '') return message.token;
  for (const [key, value] of Object.entries(message)) {
    if (key.toLowerCase() === 'authorization' && typeof value === 'string') {
      const match = /^Bearer\s+(.+)$/i.exec(value.trim());
      if (match?.[1] !== undefined) return match[1];
    }
  }
  return undefined;
}
