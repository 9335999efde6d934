import type { Unsubscribe } from '../emitter.ts';
import type { ConnectionState } from '../sync/connection-state.ts';

/** What the client's connection looks like to the app: its own socket, or the one of the leader tab. */
export interface ConnectionLink {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe;
  start(): void;
  stop(): void;
  /** Drops the connection and connects again at once (e.g. the network came back, or the user asked). */
  reconnect(): void;
  /** `solo`: no tab sharing; `leader`: this tab owns the socket; `follower`: another tab does. */
  readonly role: TabRole;
  close(): void;
}

export type TabRole = 'solo' | 'leader' | 'follower';
