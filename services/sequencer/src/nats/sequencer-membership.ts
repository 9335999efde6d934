import type { BusNames } from '@lfsync/contracts';
import { nuid, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';

const HEARTBEAT_MS = 500;
/** A replica not heard of for this long is taken for gone. */
const SILENCE_MS = 1_600;

/**
 * 32-bit FNV-1a followed by murmur3's finaliser. FNV-1a alone spreads badly over replica ids that share a
 * long prefix (nuids of one process differ only in their last characters): simulated over 200 repositories
 * and 3 such ids, one replica owned as few as 0 of them; with the finaliser never fewer than 45.
 */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * The live sequencer replicas, learnt from heartbeats on core NATS, and which of them owns a repository
 * (rendezvous hashing: the member with the highest hash of member and repository). Every replica computes
 * the same owner once their views agree, and only a repository whose owner joined or left moves. Views
 * may disagree for a heartbeat or two: then two replicas may append to one repository, which the log's
 * optimistic concurrency keeps correct (one of them gets a conflict and retries).
 */
export class SequencerMembership {
  readonly id = nuid.next();
  readonly #nc: NatsConnection;
  readonly #names: BusNames;
  readonly #logger: Logger;
  readonly #lastSeen = new Map<string, number>();
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(nc: NatsConnection, names: BusNames, logger: Logger) {
    this.#nc = nc;
    this.#names = names;
    this.#logger = logger;
  }

  start(): void {
    this.#subscription = this.#nc.subscribe(this.#names.sequencerHeartbeatSubject, {
      callback: (err, msg) => {
        if (err !== null) return;
        const [kind, member] = msg.string().split(' ');
        if (member === undefined || member === this.id) return;
        if (kind === 'leave') this.#lastSeen.delete(member);
        else if (kind === 'alive') this.#lastSeen.set(member, Date.now());
      },
    });
    const beat = () => {
      if (!this.#nc.isClosed()) this.#nc.publish(this.#names.sequencerHeartbeatSubject, `alive ${this.id}`);
    };
    beat();
    this.#timer = setInterval(beat, HEARTBEAT_MS);
  }

  /** The replica that sequences `repository`: this one (`id`) or another live member. */
  owner(repository: string): string {
    const now = Date.now();
    let best = this.id;
    let bestScore = fnv1a(`${this.id}/${repository}`);
    for (const [member, seen] of this.#lastSeen) {
      if (now - seen > SILENCE_MS) {
        this.#lastSeen.delete(member);
        continue;
      }
      const score = fnv1a(`${member}/${repository}`);
      if (score > bestScore || (score === bestScore && member > best)) [best, bestScore] = [member, score];
    }
    return best;
  }

  /** Forgets a member at once (it did not answer a forwarded request). */
  forget(member: string): void {
    this.#lastSeen.delete(member);
  }

  /** Tells the others to stop forwarding here. */
  stop(): void {
    clearInterval(this.#timer);
    this.#subscription?.unsubscribe();
    if (!this.#nc.isClosed()) this.#nc.publish(this.#names.sequencerHeartbeatSubject, `leave ${this.id}`);
    this.#logger.debug({ member: this.id }, 'sequencer left');
  }
}
