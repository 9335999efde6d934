import { EVENTS_COLLECTION, MongoEventStore, type EventDocument } from '@lfsync/event-store';
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
 * has not indexed yet come from the store's index tail, read first: an event indexed after that is then in
 * the events read next.
 */
export async function storedEventIds(db: Db, store: MongoEventStore, repository: string) {
  const tail = await store.indexTail(repository);
  const documents = db
    .collection<EventDocument>(EVENTS_COLLECTION)
    .find({ r: repository }, { projection: { s: 1, e: 1 } })
    .sort({ s: 1 });
  const ids: Array<{ sequence: number; eventId: string }> = [];
  for await (const document of documents) ids.push({ sequence: document.s, eventId: document.e });
  if (tail.length === 0) return ids;
  const indexed = new Set(ids.map((id) => id.sequence));
  ids.push(...tail.filter((event) => !indexed.has(event.sequence)));
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
