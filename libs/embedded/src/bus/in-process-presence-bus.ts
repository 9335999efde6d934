import type { PresenceBusMessage, PresenceHeartbeat } from '@lfsync/contracts';
import type { PresenceBus } from '@lfsync/ports';
import type { Logger } from 'pino';
import { deliverLater } from './deliver-later.ts';

/**
 * The presence bus within one process: each message reaches the listeners of its repository on a later
 * microtask (as over NATS, never inside the publisher's call), and a listener that throws harms nobody else.
 */
export class InProcessPresenceBus implements PresenceBus {
  readonly #logger: Logger;
  readonly #rooms = new Map<string, Set<(message: PresenceBusMessage) => void>>();
  readonly #heartbeats = new Set<(heartbeat: PresenceHeartbeat) => void>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  publish(repository: string, message: PresenceBusMessage): void {
    for (const listener of this.#rooms.get(repository) ?? []) this.#later(() => listener(message));
  }

  subscribe(repository: string, onMessage: (message: PresenceBusMessage) => void): () => void {
    const listener = (message: PresenceBusMessage) => onMessage(message);
    let room = this.#rooms.get(repository);
    if (room === undefined) this.#rooms.set(repository, (room = new Set()));
    room.add(listener);
    return () => {
      room.delete(listener);
      if (room.size === 0 && this.#rooms.get(repository) === room) this.#rooms.delete(repository);
    };
  }

  publishHeartbeat(heartbeat: PresenceHeartbeat): void {
    for (const listener of this.#heartbeats) this.#later(() => listener(heartbeat));
  }

  subscribeHeartbeats(onHeartbeat: (heartbeat: PresenceHeartbeat) => void): () => void {
    const listener = (heartbeat: PresenceHeartbeat) => onHeartbeat(heartbeat);
    this.#heartbeats.add(listener);
    return () => this.#heartbeats.delete(listener);
  }

  #later(deliver: () => void): void {
    deliverLater(this.#logger, 'presence listener failed', deliver);
  }
}
