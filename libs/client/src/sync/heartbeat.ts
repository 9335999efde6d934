import type { Cancel, Clock } from '../clock.ts';

export interface HeartbeatOptions {
  /** A `ping` is sent this often. */
  readonly intervalMs: number;
  /** The connection is dead when no frame at all arrives this long after a ping. */
  readonly timeoutMs: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 20_000, timeoutMs: 10_000 };

/**
 * Detects a dead connection that the OS has not noticed (a sleeping laptop, a NAT that dropped the mapping):
 * pings at an interval; if nothing arrives within the timeout after a ping, calls `onDead`.
 */
export class Heartbeat {
  readonly #clock: Clock;
  readonly #options: HeartbeatOptions;
  readonly #ping: () => void;
  readonly #onDead: () => void;
  #tick: Cancel | undefined;
  #deadline: Cancel | undefined;

  constructor(options: {
    readonly clock: Clock;
    readonly heartbeat: HeartbeatOptions;
    readonly ping: () => void;
    readonly onDead: () => void;
  }) {
    this.#clock = options.clock;
    this.#options = options.heartbeat;
    this.#ping = options.ping;
    this.#onDead = options.onDead;
  }

  start(): void {
    this.#scheduleTick();
  }

  /** Any frame proves the connection alive. */
  alive(): void {
    this.#deadline?.();
    this.#deadline = undefined;
  }

  stop(): void {
    this.#tick?.();
    this.#deadline?.();
    this.#tick = undefined;
    this.#deadline = undefined;
  }

  #scheduleTick(): void {
    this.#tick = this.#clock.schedule(this.#options.intervalMs, () => {
      this.#deadline ??= this.#clock.schedule(this.#options.timeoutMs, () => {
        this.stop();
        this.#onDead();
      });
      this.#ping();
      this.#scheduleTick();
    });
  }
}
