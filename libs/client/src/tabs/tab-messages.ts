import {
  isErrorCode,
  presenceMemberSchema,
  presenceMetaSchema,
  type ErrorCode,
  type PresenceMember,
} from '@lfsync/contracts';
import { z } from 'zod';
import { pendingEntrySchema, storedRecordSchema } from '../storage/stored-state-schema.ts';
import type { StorageChanges } from '../storage/sync-storage.ts';
import type { PresenceChange } from '../subscriptions/presence.ts';
import { SubscriptionError } from '../subscriptions/subscription-error.ts';
import type { Claims, WireView } from '../subscriptions/views.ts';
import type { ConnectionState } from '../sync/connection-state.ts';

// What the tabs sharing one storage tell each other over a BroadcastChannel. Checked when received: another
// tab may run an older or newer version of the app.

const storageChangesSchema = z.object({
  records: z.array(storedRecordSchema),
  cursors: z.record(z.string(), z.number().int().nonnegative()),
  putPending: z.array(pendingEntrySchema),
  deletePending: z.array(z.string()),
}) satisfies z.ZodType<StorageChanges>;

const connectionStateSchema = z.custom<ConnectionState>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['offline', 'connecting', 'authenticating', 'syncing', 'live'].includes(
      String((value as { status?: unknown }).status),
    ),
);

const errorSchema = z.object({
  code: z.custom<ErrorCode>(isErrorCode),
  message: z.string(),
  retryAfterMs: z.number().optional(),
});

/** Views the leader sends name the tab they answer (`to`), or go to every tab. */
const to = z.string().optional();

const tabMessageSchema = z.discriminatedUnion('type', [
  /** A tab stored this change (its own writes; the leader also what the server sent). */
  z.object({ type: z.literal('persisted'), changes: storageChangesSchema }),
  /** The leader's connection state. */
  z.object({ type: z.literal('state'), state: connectionStateSchema, to }),
  /** A follower's subscriptions and presences, in full: sent when it starts, when they change and to a new leader. */
  z.object({
    type: z.literal('claims'),
    tab: z.string(),
    subscriptions: z.array(z.string()),
    presences: z.array(z.object({ repository: z.string(), meta: presenceMetaSchema })),
  }),
  /** A follower stops: the leader lets its claims go. */
  z.object({ type: z.literal('bye'), tab: z.string() }),
  /** A tab took the lead: the others send their claims. */
  z.object({ type: z.literal('leader') }),
  /** A follower asks the leader to reconnect now. */
  z.object({ type: z.literal('reconnect') }),
  /** A subscription's status on the leader's connection. */
  z.object({
    type: z.literal('subscription'),
    repository: z.string(),
    status: z.enum(['pending', 'live', 'refused']),
    error: errorSchema.optional(),
    to,
  }),
  /** Who is online in a repository, as the leader's connection sees it, and what changed. */
  z.object({
    type: z.literal('presence'),
    repository: z.string(),
    status: z.enum(['pending', 'joined', 'refused']),
    error: errorSchema.optional(),
    sessionId: z.string().optional(),
    members: z.array(presenceMemberSchema),
    change: z.object({
      kind: z.enum(['snapshot', 'diff']),
      joins: z.array(presenceMemberSchema),
      leaves: z.array(z.string()),
    }),
    to,
  }),
]);

interface TabError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryAfterMs?: number | undefined;
}

type Addressed = { readonly to?: string | undefined };

export type ViewMessage =
  | ({
      readonly type: 'subscription';
      readonly repository: string;
      readonly status: 'pending' | 'live' | 'refused';
      readonly error?: TabError | undefined;
    } & Addressed)
  | ({
      readonly type: 'presence';
      readonly repository: string;
      readonly status: 'pending' | 'joined' | 'refused';
      readonly error?: TabError | undefined;
      readonly sessionId?: string | undefined;
      readonly members: readonly PresenceMember[];
      readonly change: PresenceChange;
    } & Addressed);

export type TabMessage =
  | { readonly type: 'persisted'; readonly changes: StorageChanges }
  | ({ readonly type: 'state'; readonly state: ConnectionState } & Addressed)
  | ({ readonly type: 'claims'; readonly tab: string } & Claims)
  | { readonly type: 'bye'; readonly tab: string }
  | { readonly type: 'leader' }
  | { readonly type: 'reconnect' }
  | ViewMessage;

/** The message, or why it is not one. */
export function parseTabMessage(data: unknown): { message: TabMessage } | { error: string } {
  const parsed = tabMessageSchema.safeParse(data);
  return parsed.success ? { message: parsed.data } : { error: parsed.error.message };
}

/** A view as a message (errors as plain data: the channel clones, it does not keep classes). */
export function viewMessage(view: WireView, to?: string): ViewMessage {
  const error =
    view.error === undefined
      ? undefined
      : { code: view.error.code, message: view.error.message, retryAfterMs: view.error.retryAfterMs };
  return { ...view, error, to };
}

export function viewOf(message: ViewMessage): WireView {
  const { error, repository } = message;
  const subscriptionError =
    error === undefined
      ? undefined
      : new SubscriptionError(error.code, error.message, repository, error.retryAfterMs);
  if (message.type === 'subscription')
    return { type: 'subscription', repository, status: message.status, error: subscriptionError };
  const { status, sessionId, members, change } = message;
  return { type: 'presence', repository, status, error: subscriptionError, sessionId, members, change };
}
