import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbEnvironment, LmdbEventStore } from '@lfsync/embedded';
import { MongoEventStore } from '@lfsync/event-store';
import { readAsFreshClient, type FreshClientRead } from '../load/fresh-client.ts';
import { startBenchStack } from '../stack/bench-stack.ts';
import { loadStateRepository, type BulkWriter } from '../stack/state-load.ts';
import { startEmbeddedProcess } from '../stack/embedded-process.ts';
import { signToken } from '../stack/tokens.ts';
import { BENCH_SERVICE_ENV, type ScenarioContext } from './context.ts';

export const SNAPSHOT_STORES = ['lmdb', 'ferretdb'] as const;
export type SnapshotStore = (typeof SNAPSHOT_STORES)[number];

type FreshReadSummary = Omit<FreshClientRead, 'state'> & { entities: number };

export interface SnapshotScenarioResult {
  store: SnapshotStore;
  events: number;
  entities: number;
  loadMs: number;
  runs: Array<{ replay: FreshReadSummary; snapshot: FreshReadSummary }>;
  /** The snapshot reached the same state (entity → latest sequence) as the replay, on every run. */
  sameState: boolean;
}

const REPOSITORY = 'state';

/** A gateway serving a loaded repository; `stop` removes everything. */
interface LoadedServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Scenario 9: a fresh client of a state-style repository (`--snapshot-events` events over
 * `--snapshot-entities` entities, written straight into the store), read as a replay of the log and as a
 * snapshot plus the log after it: bytes on the wire and time to `sync_complete`, per store.
 */
export async function runSnapshot(ctx: ScenarioContext): Promise<SnapshotScenarioResult[]> {
  const results: SnapshotScenarioResult[] = [];
  for (const store of ctx.options.snapshotStores) results.push(await runOn(ctx, store));
  return results;
}

async function runOn(ctx: ScenarioContext, store: SnapshotStore): Promise<SnapshotScenarioResult> {
  const total = ctx.options['snapshot-events'];
  const entities = ctx.options['snapshot-entities'];
  ctx.log(`snapshot (${store}): loading ${total} events over ${entities} entities into the store`);
  const started = performance.now();
  const server = await (store === 'lmdb' ? lmdbServer : ferretDbServer)(async (writer) => {
    const shape = { total, entities, payloadBytes: ctx.options['ingest-payload'] };
    let next = total / 10;
    await loadStateRepository(writer, REPOSITORY, shape, (loaded) => {
      if (loaded < next) return;
      ctx.log(`snapshot (${store}): ${loaded} events stored`);
      next = loaded + total / 10;
    });
  });
  const loadMs = performance.now() - started;
  try {
    const token = await signToken('snapshot-reader');
    const runs: SnapshotScenarioResult['runs'] = [];
    let sameState = true;
    for (let i = 0; i < ctx.options['snapshot-runs']; i++) {
      const read = (mode: FreshClientRead['mode']) =>
        readAsFreshClient(server.url, token, REPOSITORY, mode, 30 * 60_000);
      const replay = await read('replay');
      const snapshot = await read('snapshot');
      sameState &&= sameEntries(replay.state, snapshot.state);
      runs.push({ replay: summary(replay), snapshot: summary(snapshot) });
      ctx.log(
        `snapshot (${store}): replay ${replay.bytes} B in ${Math.round(replay.totalMs)} ms; snapshot ${snapshot.bytes} B in ${Math.round(snapshot.totalMs)} ms; same state: ${sameState}`,
      );
    }
    return { store, events: total, entities, loadMs, runs, sameState };
  } finally {
    await server.stop();
  }
}

/** The embedded product (`npm start` without NATS/MongoDB) on an LMDB directory loaded beforehand. */
async function lmdbServer(load: (writer: BulkWriter) => Promise<void>): Promise<LoadedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lfs-bench-snapshot-'));
  const env = LmdbEnvironment.open(join(dataDir, 'lmdb'));
  await load(new LmdbEventStore(env));
  await env.close();
  const server = await startEmbeddedProcess(dataDir);
  return {
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The bench stack (NATS, FerretDB, one gateway) with the repository written into its database. */
async function ferretDbServer(load: (writer: BulkWriter) => Promise<void>): Promise<LoadedServer> {
  const stack = await startBenchStack({ gateways: 1, env: BENCH_SERVICE_ENV });
  try {
    await load(new MongoEventStore(stack.db(), { writeConcern: 1 }));
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return {
    url: stack.gatewayUrl(0),
    async stop() {
      await stack.stop();
    },
  };
}

function summary(read: FreshClientRead): FreshReadSummary {
  const { state, ...rest } = read;
  return { ...rest, entities: state.size };
}

function sameEntries(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return a.size === b.size && [...a].every(([id, sequence]) => b.get(id) === sequence);
}
