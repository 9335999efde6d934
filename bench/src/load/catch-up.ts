import { signToken } from '../stack/tokens.ts';
import { LfsSession } from './lfs-session.ts';
import {
  nowUs,
  type CatchUpParams,
  type CatchUpResult,
  type LoadParams,
  type LoadResult,
} from './messages.ts';
import { count, padding, sleep } from './util.ts';

/** What the loading sessions share: the next event to hand out and what was acked. */
interface LoadTally {
  next: number;
  loaded: number;
  lastSequence: number;
  readonly errors: Record<string, number>;
}

function loadBatch(from: number, size: number, pad: string) {
  const createdAt = new Date().toISOString();
  return Array.from({ length: size }, (_, k) => {
    const id = `e${from + k}`;
    return { _event_id: id, _operation: 0, _created_at: createdAt, _data: { id, n: from + k, pad } };
  });
}

/** Pushes one batch until it is acked (up to 10 retries while the session stays open). */
async function pushUntilAcked(
  session: LfsSession,
  frame: string,
  ack: (settle: (ok: boolean) => void) => void,
  errors: Record<string, number>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const done = new Promise<boolean>((resolve) => ack(resolve));
    session.send(frame);
    if (await done) return;
    if (!session.isOpen || attempt >= 10) throw new Error(`load failed: ${JSON.stringify(errors)}`);
    await sleep(200);
  }
}

/** One loading session: takes the next batch from the tally until all `total` events are handed out. */
async function loadingClient(params: LoadParams, c: number, tally: LoadTally, pad: string): Promise<void> {
  const endpoint = params.endpoints[c % params.endpoints.length];
  if (endpoint === undefined) throw new Error('no endpoint');
  let settled: ((ok: boolean) => void) | undefined;
  let finished = false;
  const session = await LfsSession.connect(
    endpoint,
    await signToken(`loader${c}`, { read: [], write: [params.repository] }),
    {
      onAck: (eventIds, sequences) => {
        tally.loaded += eventIds.length;
        for (const s of Object.values(sequences)) if (s > tally.lastSequence) tally.lastSequence = s;
        settled?.(true);
      },
      onError: (code) => {
        count(tally.errors, code);
        settled?.(false);
      },
      onClose: (code) => {
        if (finished) return;
        count(tally.errors, `closed ${code}`);
        settled?.(false);
      },
    },
  );
  while (tally.next < params.total) {
    const from = tally.next;
    const size = Math.min(params.batchSize, params.total - from);
    tally.next += size;
    const events = loadBatch(from, size, pad);
    const frame = JSON.stringify({ type: 'push_events_batch', repository: params.repository, events });
    await pushUntilAcked(session, frame, (settle) => (settled = settle), tally.errors);
  }
  finished = true;
  session.close();
}

/** Fills a repository with `total` events: `clients` sessions pushing batches, each waiting for its ack. */
export async function load(params: LoadParams): Promise<LoadResult> {
  const tally: LoadTally = { next: 0, loaded: 0, lastSequence: 0, errors: {} };
  const pad = padding(params.payloadBytes);
  const started = performance.now();
  await Promise.all(Array.from({ length: params.clients }, (_, c) => loadingClient(params, c, tally, pad)));
  const { loaded, lastSequence, errors } = tally;
  return { loaded, elapsedMs: performance.now() - started, lastSequence, errors };
}

/** A fresh session asks for everything after 0 and receives every page until sync_complete. */
export async function catchUp(params: CatchUpParams): Promise<CatchUpResult> {
  let events = 0;
  let pages = 0;
  let bytes = 0;
  let inOrder = true;
  let cursor = 0;
  let firstPageUs = 0;
  let done: ((lastSequence: number) => void) | undefined;
  let failed: ((err: Error) => void) | undefined;
  const session = await LfsSession.connect(
    params.endpoint,
    await signToken('catch-up', { read: [params.repository], write: [] }),
    {
      onEvents: (_repository, page, size) => {
        if (pages === 0) firstPageUs = nowUs();
        pages += 1;
        bytes += size;
        for (const event of page) {
          if (event.serverSequence !== cursor + 1) inOrder = false;
          cursor = event.serverSequence;
          events += 1;
        }
      },
      onSyncComplete: (_repository, lastSequence) => done?.(lastSequence ?? cursor),
      // The gateway gave up on this catch-up (a store read failed): say so now, not at the time-out.
      onError: (code) => failed?.(new Error(`catch-up answered ${code} (${events} events)`)),
    },
  );
  const finished = new Promise<number>((resolve, reject) => {
    done = resolve;
    failed = reject;
    setTimeout(
      () => reject(new Error(`catch-up not complete after ${params.timeoutMs} ms (${events} events)`)),
      params.timeoutMs,
    ).unref();
  });
  const t0 = nowUs();
  session.requestEvents(params.repository, 0);
  const lastSequence = await finished;
  const t1 = nowUs();
  session.close();
  return {
    events,
    pages,
    firstPageMs: (firstPageUs - t0) / 1000,
    totalMs: (t1 - t0) / 1000,
    inOrder: inOrder && events === params.expected,
    lastSequence,
    bytes,
  };
}
