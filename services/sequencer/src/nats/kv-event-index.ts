import { eventIndexEntrySchema, parseJsonWith, type BusNames } from '@lfsync/contracts';
import type { EventIndex } from '@lfsync/ports';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { creatingWithReplicas, ensureReplicas, serverAtLeast } from '@lfsync/runtime';
import { ensureMaxAge } from './ensure-max-age.ts';
import { JetStreamBatchWriter } from './jetstream-batch-writer.ts';
import { IndexWriteMarks, type WriteMark } from './index-write-marks.ts';
import { JETSTREAM_TIMEOUT_MS } from './jetstream-timeout.ts';
import { lastFromAnyReplica, lastFromLeader, type LastEntry } from './kv-last-reads.ts';
import { ReplyInbox } from './reply-inbox.ts';

/** Ids per batched look-up (the server caps a multi-subject direct get; one subject is kept for the mark). */
const IDS_PER_LOOKUP = 255;
/** Waits before asking again when the answering replica had not yet applied this process's last write. */
const STALE_RETRY_DELAYS_MS = [2, 10, 40] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Look-up requests by where they were answered, for measurements. */
export interface IndexReadCounts {
  replica: number;
  stale: number;
  leader: number;
}

/**
 * The event-id index as a JetStream KV bucket (file storage, one revision per key). Look-ups of many ids
 * are one direct batch get per 255 ids on NATS 2.11+, one message get per id on older servers. Writes are one
 * message per id, published together and acknowledged on one subscription (`JetStreamBatchWriter`). (Writing
 * them as one atomic batch publish, NATS 2.12, was measured: no faster, and it moves the work into nats-server.)
 *
 * With more than one replica a direct get may be answered by a replica that lags behind (or is cut off
 * from the others) and would miss an indexed id, which would then be sequenced twice. So each batched
 * look-up also asks for the newest entry this process wrote for the repository (its write mark) and counts
 * only if the replica holds it: reads see this process's own writes and everything written before them.
 * That is all the sequencer needs: it indexes the log's last batch whenever it loads a head and every batch
 * it appends, and each batch was indexed before the next was appended, so every entry a look-up must see
 * was written before its mark. A stale answer is asked again after a short wait, then from the leader; a
 * repository without a mark (nothing written since start) is read from the leader.
 */
export class KvEventIndex implements EventIndex {
  readonly reads: IndexReadCounts = { replica: 0, stale: 0, leader: 0 };
  readonly #names: BusNames;
  readonly #writer: JetStreamBatchWriter;
  readonly #jsm: JetStreamManager;
  /** Set where batched direct gets are available (NATS 2.11+). */
  readonly #direct: ReplyInbox | undefined;
  /** Kept with more than one replica, where reads must be checked against them. */
  readonly #marks: IndexWriteMarks | undefined;

  private constructor(
    names: BusNames,
    writer: JetStreamBatchWriter,
    jsm: JetStreamManager,
    options: { direct: ReplyInbox | undefined; replicated: boolean },
  ) {
    this.#names = names;
    this.#writer = writer;
    this.#jsm = jsm;
    this.#direct = options.direct;
    this.#marks = options.replicated ? new IndexWriteMarks() : undefined;
  }

  /**
   * Opens (or creates) the bucket, kept on `replicas` servers; an existing bucket with fewer is scaled up.
   * Direct gets stay allowed (an earlier version turned them off on a cluster; they are turned on again),
   * except with several replicas on a server without batched direct gets (before 2.11): there every
   * look-up is a get from the leader.
   */
  static async open(nc: NatsConnection, names: BusNames, replicas = 1, ttlMs = 0): Promise<KvEventIndex> {
    const bucket = names.eventIndexBucket;
    const batched = serverAtLeast(nc.info?.version, 2, 11);
    const replicated = replicas > 1;
    await creatingWithReplicas(`JetStream KV bucket ${bucket}`, replicas, () =>
      new Kvm(jetstream(nc, { timeout: JETSTREAM_TIMEOUT_MS })).create(bucket, {
        history: 1,
        storage: 'file',
        replicas,
        ...(ttlMs > 0 ? { ttl: ttlMs } : {}),
        ...(replicated && !batched ? { allow_direct: false } : {}),
      }),
    );
    const jsm = await jetstreamManager(nc, { timeout: JETSTREAM_TIMEOUT_MS });
    await ensureReplicas(jsm, `KV_${bucket}`, replicas);
    await ensureMaxAge(jsm, `KV_${bucket}`, ttlMs);
    if (batched) await allowDirectGets(jsm, `KV_${bucket}`);
    return new KvEventIndex(names, new JetStreamBatchWriter(nc, JETSTREAM_TIMEOUT_MS), jsm, {
      direct: batched ? new ReplyInbox(nc) : undefined,
      replicated,
    });
  }

  async getMany(repository: string, eventIds: readonly string[]): Promise<Map<string, number>> {
    const bySubject = new Map(eventIds.map((id) => [this.#subject(repository, id), id]));
    const subjects = [...bySubject.keys()];
    const found = new Map<string, number>();
    for (let i = 0; i < subjects.length; i += IDS_PER_LOOKUP) {
      for (const message of await this.#lookUp(repository, subjects.slice(i, i + IDS_PER_LOOKUP))) {
        const eventId = bySubject.get(message.subject);
        const sequence = eventId === undefined ? undefined : sequenceOf(message);
        if (eventId !== undefined && sequence !== undefined) found.set(eventId, sequence);
      }
    }
    return found;
  }

  async #lookUp(repository: string, subjects: readonly string[]): Promise<LastEntry[]> {
    const stream = `KV_${this.#names.eventIndexBucket}`;
    const mark = this.#marks?.get(repository);
    if (this.#direct !== undefined && (this.#marks === undefined || mark !== undefined)) {
      for (const delayMs of [...STALE_RETRY_DELAYS_MS, undefined]) {
        // No replica answering (none caught up yet, or a stalled one) is left to the leader too.
        const answer = await lastFromAnyReplica(
          this.#direct,
          stream,
          subjects,
          mark,
          JETSTREAM_TIMEOUT_MS,
        ).catch(() => 'stale' as const);
        if (answer !== 'stale') {
          this.reads.replica++;
          return answer;
        }
        this.reads.stale++;
        if (delayMs !== undefined) await sleep(delayMs);
      }
    }
    this.reads.leader++;
    return lastFromLeader(this.#jsm, stream, subjects);
  }

  async putMany(repository: string, entries: ReadonlyArray<readonly [string, number]>): Promise<void> {
    const revisions = await this.#writer.write(
      entries.map(([eventId, sequence]) => ({
        subject: this.#subject(repository, eventId),
        data: asciiBytes(`{"sequence":${sequence}}`),
      })),
    );
    if (this.#marks === undefined) return;
    let newest: WriteMark | undefined;
    for (const [i, revision] of revisions.entries()) {
      const eventId = entries[i]?.[0];
      if (eventId !== undefined && revision > (newest?.revision ?? 0))
        newest = { subject: this.#subject(repository, eventId), revision };
    }
    if (newest !== undefined) this.#marks.record(repository, newest);
  }

  #subject(repository: string, eventId: string): string {
    return `$KV.${this.#names.eventIndexBucket}.${this.#names.eventIndexKey(repository, eventId)}`;
  }
}

/** Batched look-ups are direct gets; an earlier version created the bucket without them on a cluster. */
async function allowDirectGets(jsm: JetStreamManager, stream: string): Promise<void> {
  const { config } = await jsm.streams.info(stream);
  if (config.allow_direct !== true) await jsm.streams.update(stream, { ...config, allow_direct: true });
}

/** The indexed sequence, unless the entry is a delete marker or not ours. */
function sequenceOf(entry: LastEntry): number | undefined {
  if (entry.operation === 'DEL' || entry.operation === 'PURGE') return undefined;
  const parsed = parseJsonWith(eventIndexEntrySchema, () => entry.json());
  return parsed.success ? parsed.data.sequence : undefined;
}

/** An ASCII text's bytes: for a few bytes a loop is cheaper than a TextEncoder call (one per event here). */
function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
