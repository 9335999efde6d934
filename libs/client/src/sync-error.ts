import type { ErrorCode } from '@lfsync/contracts';
import type { LocalEvent } from './local/local-event.ts';

/**
 * Everything that went wrong and that the app may want to show or log, as data. None of these stop the
 * client: it keeps retrying what can be retried.
 */
export type SyncError =
  /** An `error` frame from the server, as received. */
  | {
      readonly kind: 'server_error';
      readonly code: ErrorCode;
      readonly message: string;
      readonly retryable: boolean;
      readonly eventIds?: readonly string[];
      readonly repository?: string;
      readonly retryAfterMs?: number;
    }
  /** Local events the server refused for good (e.g. `INVALID_EVENT`, `FORBIDDEN`): removed from the queue. */
  | {
      readonly kind: 'events_rejected';
      readonly code: ErrorCode;
      readonly repository: string;
      readonly events: readonly LocalEvent[];
    }
  /** The token provider threw or rejected; the client retries with backoff. */
  | { readonly kind: 'token_unavailable'; readonly cause: unknown }
  /** A frame that is not JSON or not a message of docs/protocol.md; it was ignored. */
  | { readonly kind: 'invalid_frame'; readonly detail: string }
  /** A server event without a record id (`_data_id` or `_data.id`); counted in the cursor but not applied. */
  | { readonly kind: 'unidentified_event'; readonly repository: string; readonly eventId: string }
  /** Catch-up of a repository stopped making progress though the server reports later events. */
  | { readonly kind: 'catch_up_stalled'; readonly repository: string; readonly cursor: number }
  /** Writing to the local storage failed; the changes are retried with the next write. */
  | { readonly kind: 'storage_failed'; readonly cause: unknown }
  /** Tabs sharing a storage could not coordinate (a Web Lock request failed, a message could not be sent). */
  | { readonly kind: 'tab_coordination_failed'; readonly cause: unknown }
  /** An app listener threw. */
  | { readonly kind: 'listener_failed'; readonly cause: unknown };
