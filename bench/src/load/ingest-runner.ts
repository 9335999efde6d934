import { Histogram } from '../stats/histogram.ts';
import { signToken } from '../stack/tokens.ts';
import { LfsSession } from './lfs-session.ts';
import { nowUs, type IngestParams, type IngestResult } from './messages.ts';
import { count, mapLimit, padding, sleep, sleepUntil } from './util.ts';

interface Pending {
  sentUs: number;
  size: number;
}

interface IngestClient {
  session: LfsSession;
  repository: string;
  prefix: string;
  counter: number;
  /** Keyed by the batch's first event id (acks and errors list the batch's ids in order). */
  pending: Map<string, Pending>;
  settled: (() => void) | undefined;
  closed: boolean;
  nextDueUs: number;
}

/**
 * Pushes batches as fast as acks allow (closed loop: one outstanding batch per client) or at a fixed rate
 * (open loop, latency measured from the scheduled send time so a stalled server is not hidden by a stalled
 * sender). Only acks that arrive inside the measuring window count.
 */
export async function runIngest(params: IngestParams): Promise<IngestResult> {
  const latency = new Histogram();
  const errors: Record<string, number> = {};
  let ackedEvents = 0;
  let ackedBatches = 0;
  let maxSendLagUs = 0;
  const windowStart = params.startAtUs + params.warmupMs * 1000;
  const windowEnd = windowStart + params.durationMs * 1000;
  const pad = padding(params.payloadBytes);

  const settle = (client: IngestClient, firstId: string | undefined, ok: boolean) => {
    const key =
      firstId !== undefined && client.pending.has(firstId) ? firstId : client.pending.keys().next().value;
    if (key === undefined) return;
    const pending = client.pending.get(key) as Pending;
    client.pending.delete(key);
    const now = nowUs();
    if (ok && now >= windowStart && now < windowEnd) {
      latency.record(now - pending.sentUs);
      ackedEvents += pending.size;
      ackedBatches += 1;
    }
    const settled = client.settled;
    client.settled = undefined;
    settled?.();
  };

  const clients = await mapLimit(params.clients, 32, async (spec, i) => {
    const token = await signToken(spec.subject, spec.scope);
    const session = await LfsSession.connect(spec.endpoint, token);
    const client: IngestClient = {
      session,
      repository: spec.repository,
      // Unique per run: a repeated id would be answered from the sequencer's dedupe index, not stored again.
      prefix: `${spec.subject}-${i}-${params.startAtUs.toString(36)}`,
      counter: 0,
      pending: new Map(),
      settled: undefined,
      closed: false,
      nextDueUs: 0,
    };
    session.handlers.onAck = (eventIds) => settle(client, eventIds[0], true);
    session.handlers.onError = (code, eventIds) => {
      count(errors, code);
      settle(client, eventIds?.[0], false);
    };
    session.handlers.onClose = (code) => {
      client.closed = true;
      count(errors, `closed ${code}`);
      client.settled?.();
    };
    return client;
  });

  const send = (client: IngestClient, sentUs: number) => {
    const createdAt = new Date().toISOString();
    const events = [];
    for (let k = 0; k < params.batchSize; k++) {
      const id = `${client.prefix}-${client.counter++}`;
      events.push({
        _event_id: id,
        _operation: 0,
        _created_at: createdAt,
        _data: { id, n: client.counter, pad },
      });
    }
    client.pending.set(events[0]?._event_id as string, { sentUs, size: events.length });
    client.session.send(JSON.stringify({ type: 'push_events_batch', repository: client.repository, events }));
  };

  await sleepUntil(params.startAtUs);
  if (params.mode === 'closed') {
    await Promise.all(
      clients.map(async (client) => {
        while (!client.closed && nowUs() < windowEnd) {
          const settled = new Promise<void>((resolve) => (client.settled = resolve));
          send(client, nowUs());
          await settled;
        }
      }),
    );
  } else {
    const intervalUs = 1e6 / (params.batchesPerSecond ?? 1);
    for (const client of clients) client.nextDueUs = params.startAtUs + Math.random() * intervalUs;
    for (;;) {
      const now = nowUs();
      if (now >= windowEnd) break;
      let earliest = Number.POSITIVE_INFINITY;
      for (const client of clients) {
        while (!client.closed && client.nextDueUs <= now) {
          maxSendLagUs = Math.max(maxSendLagUs, now - client.nextDueUs);
          send(client, client.nextDueUs);
          client.nextDueUs += intervalUs;
        }
        earliest = Math.min(earliest, client.nextDueUs);
      }
      await sleep(Math.max(0, (earliest - nowUs()) / 1000));
    }
  }

  const drainUntil = nowUs() + params.drainMs * 1000;
  while (nowUs() < drainUntil && clients.some((c) => !c.closed && c.pending.size > 0)) await sleep(20);
  const unacked = clients.reduce((n, c) => n + c.pending.size, 0);
  for (const client of clients) client.session.terminate();
  return {
    ackedEvents,
    ackedBatches,
    latency: latency.snapshot(),
    errors,
    unacked,
    maxSendLagMs: maxSendLagUs / 1000,
    windowUs: [windowStart, windowEnd],
  };
}
