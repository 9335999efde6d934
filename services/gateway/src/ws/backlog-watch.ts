/** The connection's libuv handle: bytes handed to it so far, and those of them the kernel has not taken yet. */
export interface WatchedHandle {
  readonly writeQueueSize?: number;
  readonly bytesWritten?: number;
}

/** The slowest reading a peer behind a backlog is assumed capable of, until it shows it reads faster. */
export const MIN_READ_BYTES_PER_SEC = 256 * 1024;
/** A peer behind a backlog gets at most this many beats without a sign of life; then it is judged as any. */
export const MAX_GRACE_BEATS = 8;

/**
 * Tells, at a heartbeat, whether a peer that did not answer the last ping may still be reading the bytes
 * that stand before the ping. Each pong proves the peer read through its ping. The kernel takes bytes
 * (handed to libuv, no longer held by it) while its buffers have room, and once they are full only as
 * fast as the peer reads: a beat in which a full kernel took some proves reading and measures its speed.
 *
 * Bytes the kernel took but the peer has not proven read can be megabytes (the peer's receive buffer
 * grows to `tcp_rmem` while it reads fast), so the ping may need several beats to get through: as many
 * as those bytes take at the speed the peer showed (at least `MIN_READ_BYTES_PER_SEC`), at most
 * `MAX_GRACE_BEATS` since its last sign of life. A peer that died idle had only its ping ahead of it and
 * gets no grace; one that never read what a backlog brought gets the beats its kernel's first fill takes.
 */
export class BacklogWatch {
  readonly #handle: () => WatchedHandle | null | undefined;
  readonly #minReadPerBeat: number;
  /** Bytes libuv held at the last beat, and what the kernel had taken by then. */
  #heldAtBeat = 0;
  #takenAtBeat = 0;
  /** The most a full kernel took in one beat: how fast the peer reads, in bytes per beat. */
  #readPerBeat = 0;
  /** Beats since the last pong or proof of reading. */
  #quietBeats = 0;
  /** Stream positions just after each unanswered ping, oldest first; the peer read through `#provenRead`. */
  readonly #pings: number[] = [];
  #provenRead = 0;

  constructor(handle: () => WatchedHandle | null | undefined, pingIntervalMs: number) {
    this.#handle = handle;
    this.#minReadPerBeat = (MIN_READ_BYTES_PER_SEC * pingIntervalMs) / 1000;
  }

  /** Called right after a ping was written; `position` is the bytes written to the connection, ping included. */
  pinged(position: number | undefined): void {
    if (position === undefined) return;
    this.#pings.push(position);
    if (this.#pings.length > MAX_GRACE_BEATS + 2) this.#pings.shift();
  }

  /** Pongs come in the order of the pings: one proves the peer read through its ping. */
  ponged(): void {
    this.#provenRead = this.#pings.shift() ?? this.#provenRead;
    this.#quietBeats = 0;
  }

  /** Called once per beat, before the next ping. */
  mayBeReading(): boolean {
    const handle = this.#handle();
    const held = handle?.writeQueueSize;
    if (held === undefined) return false;
    const taken = (handle?.bytesWritten ?? 0) - held;
    const wasFull = this.#heldAtBeat > 0;
    const progressed = wasFull && taken > this.#takenAtBeat;
    if (progressed) this.#readPerBeat = Math.max(this.#readPerBeat, taken - this.#takenAtBeat);
    this.#quietBeats = progressed ? 0 : this.#quietBeats + 1;
    this.#heldAtBeat = held;
    this.#takenAtBeat = taken;
    // A backlog that just appeared is judged a beat later, once the kernel had that beat to take some.
    if (progressed || (!wasFull && held > 0)) return true;
    // A full kernel lets libuv write again only once a third of its buffer is free, so it may take nothing
    // for a beat from a peer that reads: its grace too is what the kernel holds at the peer's speed.
    const unread = taken - this.#provenRead;
    const graceBeats = Math.floor(unread / Math.max(this.#readPerBeat, this.#minReadPerBeat));
    return this.#quietBeats <= Math.min(graceBeats, MAX_GRACE_BEATS);
  }
}
