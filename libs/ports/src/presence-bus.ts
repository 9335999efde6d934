import type { PresenceBusMessage, PresenceHeartbeat } from '@lfsync/contracts';

/**
 * How gateways tell each other who is online (core NATS subjects, or an in-process bus): at most once,
 * to every gateway listening at that moment, including the sender (which ignores its own messages).
 */
export interface PresenceBus {
  publish(repository: string, message: PresenceBusMessage): void;
  /** Messages about one repository from now on; returns the unsubscribe function. */
  subscribe(repository: string, onMessage: (message: PresenceBusMessage) => void): () => void;
  publishHeartbeat(heartbeat: PresenceHeartbeat): void;
  /** Every gateway's heartbeats from now on; returns the unsubscribe function. */
  subscribeHeartbeats(onHeartbeat: (heartbeat: PresenceHeartbeat) => void): () => void;
}
