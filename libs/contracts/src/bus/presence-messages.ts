import { z } from 'zod';
import { presenceMemberSchema } from '../wire/subscription-messages.ts';

const gatewayIdSchema = z.string().min(1).max(128);

/**
 * What gateways tell each other about one repository's presence (core NATS, `presenceSubject`): a member
 * joined or changed its meta, left, a new listener asks for the current members (`query`), and a gateway
 * answers with all of its own (`state`, which replaces what others knew of that gateway's members).
 */
export const presenceBusMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('join'), gatewayId: gatewayIdSchema, member: presenceMemberSchema }),
  z.object({ kind: z.literal('leave'), gatewayId: gatewayIdSchema, sessionId: z.string() }),
  z.object({ kind: z.literal('query'), gatewayId: gatewayIdSchema }),
  z.object({
    kind: z.literal('state'),
    gatewayId: gatewayIdSchema,
    members: z.array(presenceMemberSchema),
  }),
]);
export type PresenceBusMessage = z.infer<typeof presenceBusMessageSchema>;

/** A gateway's heartbeat (`presenceHeartbeatSubject`): members of a gateway that stops beating expire. */
export const presenceHeartbeatSchema = z.object({ gatewayId: gatewayIdSchema });
export type PresenceHeartbeat = z.infer<typeof presenceHeartbeatSchema>;
