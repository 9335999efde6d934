import { MongoClient, type CommandStartedEvent, type Db, type Document } from 'mongodb';
import { MongoEventStore } from '../mongo-event-store.ts';
import { batch } from './test-batch.ts';

/** What the store sent: a find, or the filter of an update. */
export interface SentRead {
  collection: string;
  filter: Document;
  sort: Document | undefined;
  hint: string | undefined;
}

export interface IndexInfo {
  name: string;
  key: Record<string, 1 | -1>;
}

const OPERATORS = /^\$/;

function isEquality(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === '$eq' || keys[0] === '$in');
}

/** How MongoDB would use `index` for `read`: null when it cannot bound the scan or avoid a sort. */
function servesRead(index: IndexInfo, read: SentRead): boolean {
  const fields = Object.keys(read.filter).filter((f) => !OPERATORS.test(f));
  const equalities = new Set(fields.filter((f) => isEquality(read.filter[f])));
  const keys = Object.entries(index.key);
  let i = 0;
  while (i < keys.length && equalities.has(keys[i]![0])) i++;
  const sort = Object.entries(read.sort ?? {});
  const sortFollows = sort.every(([field], k) => keys[i + k]?.[0] === field);
  const sameWay = sort.every(([, way], k) => way === keys[i + k]?.[1]);
  const reversed = sort.every(([, way], k) => way === -(keys[i + k]?.[1] ?? 0));
  const sortServed = sort.length === 0 || (sortFollows && (sameWay || reversed));
  const bounded = i > 0 || (sort.length > 0 && sortServed) || fields.includes(keys[0]![0]);
  return bounded && sortServed;
}

/** The driver sends a sort as a Map (key order matters). */
function sortOf(sort: unknown): Document | undefined {
  if (sort instanceof Map) return Object.fromEntries(sort as Map<string, unknown>);
  return sort as Document | undefined;
}

export function indexFor(read: SentRead, indexes: readonly IndexInfo[]): string | undefined {
  const candidates = read.hint === undefined ? indexes : indexes.filter((x) => x.name === read.hint);
  return candidates.find((index) => servesRead(index, read))?.name;
}

/**
 * A store on the database `dbName` (a fresh one) of the server at `url`, holding `repo` 1–3 and 4–5 (head 5),
 * whose reads from then on are recorded into `sent`.
 */
export async function recordingStore(
  url: string,
  dbName: string,
  options: ConstructorParameters<typeof MongoEventStore>[1],
  repo: string,
  sent: SentRead[],
): Promise<{ client: MongoClient; db: Db; store: MongoEventStore }> {
  const client = await MongoClient.connect(url, { monitorCommands: true });
  const db = client.db(dbName);
  const store = new MongoEventStore(db, options);
  await store.ensureIndexes();
  await store.insert([batch(repo, 1, ['a', 'b', 'c']), batch(repo, 4, ['d', 'e'])]);
  await store.advanceHeads(new Map([[repo, 5]]));
  recordReads(client, db, sent);
  return { client, db, store };
}

export interface RecordingSuite {
  readonly sent: SentRead[];
  client: MongoClient;
  db: Db;
  store: MongoEventStore;
}

/** The suite hooks of the test runner (passed in: this folder ships in the service images, vitest does not). */
interface SuiteHooks {
  beforeAll: (hook: () => Promise<void>) => void;
  afterAll: (hook: () => Promise<void>) => void;
}

/**
 * A `recordingStore` for the tests of the calling suite: opened before them (on the server `url()` names
 * then), its database dropped after them.
 */
export function useRecordingStore(
  { beforeAll, afterAll }: SuiteHooks,
  url: () => string,
  dbName: string,
  options: ConstructorParameters<typeof MongoEventStore>[1],
  repo: string,
): RecordingSuite {
  const suite = { sent: [] as SentRead[] } as RecordingSuite;
  beforeAll(async () => {
    Object.assign(suite, await recordingStore(url(), dbName, options, repo, suite.sent));
  });
  afterAll(async () => {
    await suite.db.dropDatabase();
    await suite.client.close();
  });
  return suite;
}

/** Records every find and update filter `client` sends to `db`, into `sent`. */
function recordReads(client: MongoClient, db: Db, sent: SentRead[]): void {
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.databaseName !== db.databaseName) return;
    const command = event.command;
    if (event.commandName === 'find')
      sent.push({
        collection: command['find'] as string,
        filter: (command['filter'] as Document | undefined) ?? {},
        sort: sortOf(command['sort']),
        hint: command['hint'] as string | undefined,
      });
    for (const update of (event.commandName === 'update' ? command['updates'] : []) as Document[])
      sent.push({
        collection: command['update'] as string,
        filter: update['q'] as Document,
        sort: undefined,
        hint: undefined,
      });
  });
}

/** Every read the services make through the store, on `repo` (stored: 1–3 and 4–5, head 5). */
export function storeReads(store: MongoEventStore, repo: string): Record<string, () => Promise<unknown>> {
  return {
    head: () => store.head(repo),
    readAfter: () => store.readAfter(repo, 2, 2),
    scanAfter: async () => {
      const pages: unknown[] = [];
      for await (const page of store.scanAfter(repo, 0, 2)) pages.push(page);
      return pages;
    },
    findByEventId: () => store.findByEventId(repo, 'd'),
    latestByDataId: () => store.latestByDataId(repo, 'd-c'),
    repositories: () => store.repositories(),
    'insert of a stored group (persister after a crash)': () => store.insert([batch(repo, 4, ['d', 'e'])]),
    advanceHeads: () => store.advanceHeads(new Map([[repo, 5]])),
  };
}
