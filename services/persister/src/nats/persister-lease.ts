import type { BusNames } from '@lfsync/contracts';
import { creatingWithReplicas, ensureReplicas } from '@lfsync/runtime';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

const KEY = 'persister';

/**
 * Which persister replica consumes the log: the one holding this lease, a key in a KV bucket whose entries
 * expire after `ttlMs` (the bucket's max age; works on NATS 2.9). The holder renews it every third of
 * that, conditional on its own last revision; the others try to create it at the same pace, which
 * succeeds once it expired or was released. One replica works and the others stand by: two persisters on
 * one consumer mostly wait for each other's batches (measured; see docs/deploy.md). The lease only saves
 * that work: if two ever consume at once (a stalled holder waking up after a take-over), the store's
 * idempotent inserts and never-lowered heads keep I1–I4.
 */
export class PersisterLease {
  readonly #kv: KV;
  readonly #ttlMs: number;
  readonly #holder: string;
  readonly #logger: Logger;
  #revision = 0;
  #renewedAt = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  private constructor(kv: KV, ttlMs: number, holder: string, logger: Logger) {
    this.#kv = kv;
    this.#ttlMs = ttlMs;
    this.#holder = holder;
    this.#logger = logger;
  }

  static async open(
    nc: NatsConnection,
    names: BusNames,
    options: { ttlMs: number; replicas: number; holder: string; logger: Logger },
  ): Promise<PersisterLease> {
    const bucket = names.leaseBucket;
    const kv = await creatingWithReplicas(`JetStream KV bucket ${bucket}`, options.replicas, () =>
      new Kvm(jetstream(nc)).create(bucket, {
        history: 1,
        storage: 'file',
        ttl: options.ttlMs,
        replicas: options.replicas,
      }),
    );
    await ensureReplicas(await jetstreamManager(nc), `KV_${bucket}`, options.replicas);
    return new PersisterLease(kv, options.ttlMs, options.holder, options.logger);
  }

  /** Resolves once this replica holds the lease (false if stopped while waiting). */
  async acquire(): Promise<boolean> {
    while (!this.#stopped) {
      try {
        this.#revision = await this.#kv.create(KEY, this.#holder);
        this.#renewedAt = Date.now();
        this.#logger.info({ holder: this.#holder }, 'persister lease acquired: consuming the log');
        return true;
      } catch {
        // Held by another replica (or NATS unreachable): try again when it may have expired.
      }
      await this.#pause(this.#ttlMs / 3);
    }
    return false;
  }

  /** Renews until a renewal is refused or none succeeded for a whole TTL; then resolves. */
  async held(): Promise<void> {
    while (!this.#stopped) {
      await this.#pause(this.#ttlMs / 3);
      if (this.#stopped) return;
      try {
        this.#revision = await this.#kv.update(KEY, this.#holder, this.#revision);
        this.#renewedAt = Date.now();
      } catch (err) {
        const refused = /wrong last sequence/i.test(String(err));
        if (refused || Date.now() - this.#renewedAt >= this.#ttlMs) {
          this.#logger.warn({ err, holder: this.#holder }, 'persister lease lost: standing by');
          return;
        }
      }
    }
  }

  /** Ends waiting and renewing: `acquire()` and `held()` return. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#wake?.();
  }

  /** Gives the lease up at once, so that a standby takes over without waiting for it to expire. */
  async release(): Promise<void> {
    this.stop();
    if (this.#revision === 0) return;
    await this.#kv.delete(KEY, { previousSeq: this.#revision }).catch(() => undefined);
    this.#revision = 0;
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}
