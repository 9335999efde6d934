/** Why the client is offline. */
export type OfflineReason =
  /** `start()` not called yet, or `stop()` called. */
  | 'stopped'
  /** The socket could not be opened, or opened but did not authenticate in time. */
  | 'connect_failed'
  /** The socket closed (by the server, the network or a proxy). */
  | 'closed'
  /** No frame arrived within the heartbeat timeout after a ping. */
  | 'heartbeat_timeout'
  /** The server refused the token (it closes with 4401). */
  | 'auth_failed'
  /** The token provider failed. */
  | 'token_unavailable';

/**
 * Where the connection is. `live` only once authenticated and every repository caught up; local writes are
 * accepted in every state.
 */
export type ConnectionState =
  | {
      readonly status: 'offline';
      readonly reason: OfflineReason;
      readonly closeCode?: number;
      readonly retryInMs?: number;
    }
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'authenticating' }
  | { readonly status: 'syncing'; readonly repositories: readonly string[] }
  | { readonly status: 'live'; readonly sessionId: string };

export type ConnectionStatus = ConnectionState['status'];
