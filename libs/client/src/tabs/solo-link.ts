import type { Unsubscribe } from '../emitter.ts';
import type { SyncConnection } from '../sync/connection.ts';
import type { ConnectionState } from '../sync/connection-state.ts';
import type { ConnectionLink, TabRole } from './connection-link.ts';

/** This client's own connection, shared with nobody. */
export class SoloLink implements ConnectionLink {
  readonly role: TabRole = 'solo';
  readonly #connection: SyncConnection;

  constructor(connection: SyncConnection) {
    this.#connection = connection;
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
  }
}
