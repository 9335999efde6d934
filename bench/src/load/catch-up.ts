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

/** Fills a repository with `total` events: `clients` sessions pushing batches, each waiting for its ack. */
export async function load(params: LoadParams): Promise<LoadResult> {
  const errors: Record<string, number> = {};
  const pad = padding(params.payloadBytes);
  const started = performance.now();
  let next = 0;
  let loaded = 0;
  let lastSequence = 0;
  await Promise.all(
    Array.from({ length: params.clients }, async (_, c) => {
      const endpoint = params.endpoints[c % params.endpoints.length];
      if (endpoint === undefined) throw new Error('no endpoint');
      let settled: ((ok: boolean) => void) | undefined;
      let finished = false;
      const session = await LfsSession.connect(
        endpoint,
        await signToken(`loader${c}`, { read: [], write: [params.repository] }),
        {
          onAck: (eventIds, sequences) => {
            loaded += eventIds.length;
            for (const s of Object.values(sequences)) if (s > lastSequence) lastSequence = s;
            settled?.(true);
          },
          onError: (code) => {
            count(errors, code);
            settled?.(false);
          },
          onClose: (code) => {
            if (finished) return;
            count(errors, `closed ${code}`);
            settled?.(false);
          },
        },
      );
      while (next < params.total) {
        const from = next;
        const size = Math.min(params.batchSize, params.total - from);
        next += size;
        const createdAt = new Date().toISOString();
        const events = Array.from({ length: size }, (_, k) => {
          const id = `e${from + k}`;
          return { _event_id: id, _operation: 0, _created_at: createdAt, _data: { id, n: from + k, pad } };
        });
        for (let attempt = 0; ; attempt++) {
          const done = new Promise<boolean>((resolve) => (settled = resolve));
          session.send(JSON.stringify({ type: 'push_events_batch', repository: params.repository, events }));
          if (await done) break;
          if (!session.isOpen || attempt >= 10) throw new Error(`load failed: ${JSON.stringify(errors)}`);
          await sleep(200);
        }
      }
      finished = true;
      session.close();
    }),
  );
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
    },
  );
  const finished = new Promise<number>((resolve, reject) => {
    done = resolve;
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
