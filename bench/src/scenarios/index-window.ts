import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbEnvironment, LmdbEventIndex } from '@lfsync/embedded';
import { WsTestClient } from '@lfsync/testkit';
import { startEmbeddedProcess } from '../stack/embedded-process.ts';
import { signToken } from '../stack/tokens.ts';
import { cpuSeconds } from '../system/proc.ts';
import type { ScenarioContext } from './context.ts';

export interface IndexWindowRun {
  /** EVENT_INDEX_TTL_MS (0 = every id kept). */
  ttlMs: number;
  events: number;
  pushSeconds: number;
  /** Pushes refused with a retryable UNAVAILABLE (the persister lagging near the window), sent again. */
  refusals: number;
  /** CPU seconds of the embedded process while pushing. */
  serverCpuSeconds: number;
  /** Index entries right after the last ack, and once a window (and a sweep) later. */
  entriesAfterPush: number;
  entriesAfterWindow: number;
  /** The LMDB data file once the window passed (LMDB reuses freed pages; the file never shrinks). */
  fileBytes: number;
}

const BATCH = 500;
const REPOSITORIES = 16;
/** The embedded process sweeps once a second: a window plus this has surely been swept. */
const SWEEP_SLACK_MS = 3_000;

/**
 * Scenario 10 (on request): the embedded mode's event-id index with and without EVENT_INDEX_TTL_MS —
 * entries and LMDB file size after `--index-window-events` events pushed over WebSocket (batches of 500,
 * 16 repositories at once, log retention 1 s so the log does not hide the index).
 */
export async function runIndexWindow(ctx: ScenarioContext): Promise<IndexWindowRun[]> {
  const runs: IndexWindowRun[] = [];
  for (const ttlMs of [0, ctx.options['index-window-ttl-ms']]) {
    const run = await runWith(ctx, ttlMs);
    runs.push(run);
    ctx.log(
      `index-window (TTL ${ttlMs} ms): ${run.events} events in ${run.pushSeconds.toFixed(1)} s (${run.refusals} pushes refused and sent again) (server ${run.serverCpuSeconds.toFixed(1)} CPU-s); index ${run.entriesAfterPush} entries after the push, ${run.entriesAfterWindow} a window later; data file ${(run.fileBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  }
  return runs;
}

async function runWith(ctx: ScenarioContext, ttlMs: number): Promise<IndexWindowRun> {
  const events = ctx.options['index-window-events'];
  const dataDir = mkdtempSync(join(tmpdir(), 'lfs-bench-index-'));
  const server = await startEmbeddedProcess(dataDir, {
    EVENT_INDEX_TTL_MS: String(ttlMs),
    LOG_RETENTION_MS: '1000',
    // The pushers receive no one's events (their acks only): the run measures storage, not fan-out.
    IMPLICIT_SUBSCRIPTION: 'none',
  });
  // LMDB takes readers in other processes: the bench counts while the server writes.
  const reader = LmdbEnvironment.open(join(dataDir, 'lmdb'));
  try {
    const index = new LmdbEventIndex(reader);
    const cpuBefore = cpuSeconds(server.pid ?? Number.NaN);
    const started = performance.now();
    const refusals = await push(server.url, events);
    const pushSeconds = (performance.now() - started) / 1000;
    const serverCpuSeconds = cpuSeconds(server.pid ?? Number.NaN) - cpuBefore;
    const entriesAfterPush = index.size;
    await new Promise((resolve) => setTimeout(resolve, ttlMs + SWEEP_SLACK_MS));
    return {
      ttlMs,
      events,
      pushSeconds,
      refusals,
      serverCpuSeconds,
      entriesAfterPush,
      entriesAfterWindow: index.size,
      fileBytes: statSync(join(dataDir, 'lmdb', 'data.mdb')).size,
    };
  } finally {
    await reader.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `total` events over REPOSITORIES repositories, a connection each, a batch at a time waiting for its ack;
 * returns how many pushes were refused (and sent again).
 */
async function push(url: string, total: number): Promise<number> {
  const token = await signToken('index-window');
  let refusals = 0;
  const perRepository = Math.ceil(total / REPOSITORIES);
  await Promise.all(
    Array.from({ length: REPOSITORIES }, async (_, r) => {
      const repository = `index-window-${r}`;
      const ws = await WsTestClient.connect(url);
      try {
        const auth = await ws.auth(token);
        if (auth.type !== 'auth_success') throw new Error(`auth refused: ${JSON.stringify(auth)}`);
        for (let from = 0; from < perRepository; from += BATCH) {
          const count = Math.min(BATCH, perRepository - from);
          const events = Array.from({ length: count }, (_, i) => {
            const id = `${repository}-${from + i}`;
            return { _event_id: id, _operation: 0, _created_at: 0, _data: { id } };
          });
          refusals += await pushUntilAcked(ws, repository, events);
        }
      } finally {
        await ws.close();
      }
    }),
  );
  return refusals;
}

/** Sends the batch again after a retryable refusal (the persister lagging near the window), as clients do. */
async function pushUntilAcked(ws: WsTestClient, repository: string, events: unknown[]): Promise<number> {
  for (let refusals = 0; ; refusals++) {
    ws.send({ type: 'push_events_batch', repository, events });
    const reply = await ws.waitFor((f) => f.type === 'ack' || f.type === 'error', 60_000);
    if (reply.type === 'ack') return refusals;
    if (reply.type !== 'error' || reply.code !== 'UNAVAILABLE')
      throw new Error(`push refused: ${reply.type}`);
    await new Promise((resolve) => setTimeout(resolve, reply.retryAfterMs ?? 1_000));
  }
}
