import {
  EVENTS_COLLECTION,
  HEADS_COLLECTION,
  MongoEventStore,
  type EventDocument,
  type HeadDocument,
} from '@lfsync/event-store';
import {
  commonConfigShape,
  mongoClientOptions,
  mongoConfigShape,
  natsConnectionOptions,
} from '@lfsync/runtime';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MongoClient, type Db } from 'mongodb';
import { z } from 'zod';
import { UsageError } from './usage-error.ts';

const adminEnvSchema = z.object({ ...commonConfigShape, ...mongoConfigShape });
export type AdminEnv = z.infer<typeof adminEnvSchema>;

const CONNECT_TIMEOUT_MS = 5_000;

/** The same env names as the services (NATS_URL, BUS_PREFIX, MONGO_URL, MONGO_DB and their credentials). */
export function adminEnv(env: NodeJS.ProcessEnv): AdminEnv {
  const parsed = adminEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(`bad environment ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
}

/** Runs `use` with the database, closing the client after; an unreachable server is a UsageError. */
export async function withDatabase<T>(
  env: AdminEnv,
  use: (db: Db, store: MongoEventStore) => Promise<T>,
): Promise<T> {
  const client = new MongoClient(env.MONGO_URL, {
    ...mongoClientOptions(env),
    serverSelectionTimeoutMS: CONNECT_TIMEOUT_MS,
  });
  try {
    await client.connect().catch((err: unknown) => {
      throw new UsageError(`cannot reach MongoDB at ${redact(env.MONGO_URL)}: ${message(err)}`);
    });
    const db = client.db(env.MONGO_DB);
    return await use(db, new MongoEventStore(db));
  } finally {
    await client.close();
  }
}

/**
 * Every stored event's sequence and id, in sequence order (the ones above the head too). Those the persister
 * has not indexed yet (past `x` in the head document) are read from their batches.
 */
export async function storedEventIds(db: Db, store: MongoEventStore, repository: string) {
  // The head first: an event indexed after it was read is then in the events read next.
  const head = await db.collection<HeadDocument>(HEADS_COLLECTION).findOne({ _id: repository });
  const documents = db
    .collection<EventDocument>(EVENTS_COLLECTION)
    .find({ r: repository }, { projection: { s: 1, e: 1 } })
    .sort({ s: 1 });
  const ids: Array<{ sequence: number; eventId: string }> = [];
  for await (const document of documents) ids.push({ sequence: document.s, eventId: document.e });
  if (head?.x === undefined || head.x >= head.s) return ids;
  const indexed = new Set(ids.map((id) => id.sequence));
  for await (const page of store.scanAfter(repository, head.x, 1_000))
    for (const { sequence, json } of page)
      if (!indexed.has(sequence))
        ids.push({ sequence, eventId: (JSON.parse(json) as { _event_id: string })._event_id });
  return ids.sort((a, b) => a.sequence - b.sequence);
}

export async function withNats<T>(env: AdminEnv, use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({
    ...natsConnectionOptions(env),
    name: 'lfsync-admin',
    reconnect: false,
    timeout: CONNECT_TIMEOUT_MS,
  }).catch((err: unknown) => {
    throw new UsageError(`cannot reach NATS at ${redact(env.NATS_URL)}: ${message(err)}`);
  });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
