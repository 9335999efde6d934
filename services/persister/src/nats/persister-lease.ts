import type { BusNames } from '@lfsync/contracts';
import { creatingWithReplicas, ensureReplicas } from '@lfsync/runtime';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

const KEY = 'persister';
/** Lease requests wait a third of the TTL, but not less than this. */
const MIN_REQUEST_TIMEOUT_MS = 500;

/** What the lease's leader says about the lease. */
type Standing = { kind: 'ours'; revision: number } | { kind: 'free' } | { kind: 'other'; holder: string };

/**
 * Which persister replica consumes the log: the one holding this lease, a key in a KV bucket whose entries
 * expire after `ttlMs` (the bucket's max age; works on NATS 2.9). The holder renews it every third of
 * that, conditional on its own last revision; the others try to create it at the same pace, which
 * succeeds once it expired or was released. One replica works and the others stand by: two persisters on
 * one consumer mostly wait for each other's batches (measured; see docs/deploy.md). The lease only saves
 * that work: if two ever consume at once (a stalled holder waking up after a take-over), the store's
 * idempotent inserts and never-lowered heads keep I1–I4.
 *
 * A renewal that times out is not a lost lease: NATS may be electing a leader, or the renewal went through
 * and only its reply was lost (the next one is then refused for its old revision). Renewals wait at most a
 * third of the TTL, so a short outage costs a renewal or two, not the lease; a refused renewal asks the
 * bucket's leader who holds the lease and carries on if it is still this replica's. The holder stands by
 * when another replica holds it, or when nothing confirmed it for a whole TTL (then it has most likely
 * expired and a standby may have it).
 */
export class PersisterLease {
  readonly #kv: KV;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #subject: string;
  readonly #ttlMs: number;
  readonly #holder: string;
  readonly #logger: Logger;
  #revision = 0;
  /** When a renewal, a take or the leader last confirmed that this replica holds the lease. */
  #confirmedAt = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  private constructor(
    kv: KV,
    jsm: JetStreamManager,
    bucket: string,
    options: { ttlMs: number; holder: string; logger: Logger },
  ) {
    this.#kv = kv;
    this.#jsm = jsm;
    this.#stream = `KV_${bucket}`;
    this.#subject = `$KV.${bucket}.${KEY}`;
    this.#ttlMs = options.ttlMs;
    this.#holder = options.holder;
    this.#logger = options.logger;
  }

  static async open(
    nc: NatsConnection,
    names: BusNames,
    options: { ttlMs: number; replicas: number; holder: string; logger: Logger },
  ): Promise<PersisterLease> {
    const bucket = names.leaseBucket;
    await creatingWithReplicas(`JetStream KV bucket ${bucket}`, options.replicas, () =>
      new Kvm(jetstream(nc)).create(bucket, {
        history: 1,
        storage: 'file',
        ttl: options.ttlMs,
        replicas: options.replicas,
      }),
    );
    await ensureReplicas(await jetstreamManager(nc), `KV_${bucket}`, options.replicas);
    // Set up with the client's default waits; lease requests then wait at most a third of the TTL.
    const timeout = Math.max(MIN_REQUEST_TIMEOUT_MS, Math.round(options.ttlMs / 3));
    const kv = await new Kvm(jetstream(nc, { timeout })).open(bucket, { bindOnly: true });
    const jsm = await jetstreamManager(nc, { timeout: options.ttlMs, checkAPI: false });
    return new PersisterLease(kv, jsm, bucket, options);
  }

  /** Resolves once this replica holds the lease (false if stopped while waiting). */
  async acquire(): Promise<boolean> {
    while (!this.#stopped) {
      if (await this.#take()) {
        this.#logger.info({ holder: this.#holder }, 'persister lease acquired: consuming the log');
        return true;
      }
      await this.#pause(this.#ttlMs / 3);
    }
    return false;
  }

  /**
   * Renews until another replica is found holding the lease, or nothing confirmed it for a whole TTL (it
   * has most likely expired, and a standby may have it); then resolves. Also resolves when stopped.
   */
  async held(): Promise<void> {
    while (!this.#stopped) {
      await this.#pause(this.#ttlMs / 3);
      if (this.#stopped) return;
      let refused = false;
      try {
        this.#revision = await this.#kv.update(KEY, this.#holder, this.#revision);
        this.#confirmedAt = Date.now();
        continue;
      } catch (err) {
        refused = /wrong last sequence/i.test(String(err));
      }
      const unconfirmed = Date.now() - this.#confirmedAt >= this.#ttlMs;
      if (!refused && !unconfirmed) continue; // no answer: try again at the next renewal
      const standing = await this.#standing().catch(() => undefined);
      if (standing?.kind === 'ours') this.#adopt(standing.revision);
      else if (standing?.kind === 'free' && (await this.#take())) continue;
      else if (standing?.kind === 'other' || unconfirmed) {
        this.#logger.warn(
          { holder: this.#holder, by: standing?.kind === 'other' ? standing.holder : undefined },
          'persister lease lost: standing by',
        );
        return;
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

  /** Creates the lease entry; true if this replica holds it now (also when an earlier create's reply was lost). */
  async #take(): Promise<boolean> {
    try {
      this.#adopt(await this.#kv.create(KEY, this.#holder));
      return true;
    } catch {
      // Held by another replica, or no answer: ask the leader, in case it is ours after all.
    }
    const standing = await this.#standing().catch(() => undefined);
    if (standing?.kind !== 'ours') return false;
    this.#adopt(standing.revision);
    return true;
  }

  #adopt(revision: number): void {
    this.#revision = revision;
    this.#confirmedAt = Date.now();
  }

  /** The lease as the bucket's leader has it (a stream message get, which only the leader answers). */
  async #standing(): Promise<Standing> {
    const entry = await this.#jsm.streams.getMessage(this.#stream, { last_by_subj: this.#subject });
    const operation = entry?.header?.get('KV-Operation');
    if (entry === null || operation === 'DEL' || operation === 'PURGE') return { kind: 'free' };
    const holder = entry.string();
    return holder === this.#holder ? { kind: 'ours', revision: entry.seq } : { kind: 'other', holder };
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}
