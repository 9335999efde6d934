import type { Unsubscribe } from '../emitter.ts';
import { serveLocally } from '../subscriptions/serve-locally.ts';
import type { SubscriptionSet } from '../subscriptions/subscription-set.ts';
import type { WireSubscriptions } from '../subscriptions/wire-subscriptions.ts';
import type { SyncConnection } from '../sync/connection.ts';
import type { ConnectionState } from '../sync/connection-state.ts';
import type { ConnectionLink, TabRole } from './connection-link.ts';

/** This client's own connection, shared with nobody. */
export class SoloLink implements ConnectionLink {
  readonly role: TabRole = 'solo';
  readonly #connection: SyncConnection;
  readonly #stopServing: Unsubscribe;

  constructor(connection: SyncConnection, subscriptions: SubscriptionSet, wire: WireSubscriptions) {
    this.#connection = connection;
    this.#stopServing = serveLocally(subscriptions, wire, 'self');
  }

  get state(): ConnectionState {
    return this.#connection.state;
  }

  onStateChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#connection.onStateChange(listener);
  }

  start(): void {
    this.#connection.start();
  }

  stop(): void {
    this.#connection.stop();
  }

  reconnect(): void {
    this.#connection.reconnect();
  }

  close(): void {
    this.#connection.stop();
    this.#stopServing();
  }
}
