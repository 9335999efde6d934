import { presenceMemberSchema, type PresenceMember } from '@lfsync/contracts';
import { z } from 'zod';
import type { PresenceStatus } from '../subscriptions/presence.ts';
import { pendingEntrySchema, storedRecordSchema } from '../storage/stored-state-schema.ts';
import type { StorageChanges } from '../storage/sync-storage.ts';
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

const tabMessageSchema = z.discriminatedUnion('type', [
  /** A tab stored this change (its own writes; the leader also what the server sent). */
  z.object({ type: z.literal('persisted'), changes: storageChangesSchema }),
  /** The leader's connection state. */
  z.object({ type: z.literal('state'), state: connectionStateSchema }),
  /** A tab opened: the leader answers with its state. */
  z.object({ type: z.literal('hello') }),
  /** A follower asks the leader to reconnect now. */
  z.object({ type: z.literal('reconnect') }),
  /** Who is online in a repository, as the leader's connection sees it. */
  z.object({
    type: z.literal('presence'),
    repository: z.string(),
    status: z.enum(['pending', 'joined', 'refused', 'left']),
    sessionId: z.string().optional(),
    members: z.array(presenceMemberSchema),
  }),
]);

export type TabMessage =
  | { readonly type: 'persisted'; readonly changes: StorageChanges }
  | { readonly type: 'state'; readonly state: ConnectionState }
  | { readonly type: 'hello' }
  | { readonly type: 'reconnect' }
  | {
      readonly type: 'presence';
      readonly repository: string;
      readonly status: PresenceStatus;
      readonly sessionId?: string | undefined;
      readonly members: readonly PresenceMember[];
    };

/** The message, or why it is not one. */
export function parseTabMessage(data: unknown): { message: TabMessage } | { error: string } {
  const parsed = tabMessageSchema.safeParse(data);
  return parsed.success ? { message: parsed.data } : { error: parsed.error.message };
}
