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

/** One generator's share of an ingest phase: its clients, and the acks that arrived inside the window. */
class IngestRun {
  readonly latency = new Histogram();
  readonly errors: Record<string, number> = {};
  ackedEvents = 0;
  ackedBatches = 0;
  maxSendLagUs = 0;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly #params: IngestParams;
  readonly #pad: string;

  constructor(params: IngestParams) {
    this.#params = params;
    this.windowStart = params.startAtUs + params.warmupMs * 1000;
    this.windowEnd = this.windowStart + params.durationMs * 1000;
    this.#pad = padding(params.payloadBytes);
  }

  async connect(spec: IngestParams['clients'][number], i: number): Promise<IngestClient> {
    const token = await signToken(spec.subject, spec.scope);
    const session = await LfsSession.connect(spec.endpoint, token);
    const client: IngestClient = {
      session,
      repository: spec.repository,
      // Unique per run: a repeated id would be answered from the sequencer's dedupe index, not stored again.
      prefix: `${spec.subject}-${i}-${this.#params.startAtUs.toString(36)}`,
      counter: 0,
      pending: new Map(),
      settled: undefined,
      closed: false,
      nextDueUs: 0,
    };
    session.handlers.onAck = (eventIds) => this.#settle(client, eventIds[0], true);
    session.handlers.onError = (code, eventIds) => {
      count(this.errors, code);
      this.#settle(client, eventIds?.[0], false);
    };
    session.handlers.onClose = (code) => {
      client.closed = true;
      count(this.errors, `closed ${code}`);
      client.settled?.();
    };
    return client;
  }

  /** Closed loop: each client sends its next batch once the previous one is settled. */
  async closedLoop(clients: readonly IngestClient[]): Promise<void> {
    await Promise.all(
      clients.map(async (client) => {
        while (!client.closed && nowUs() < this.windowEnd) {
          const settled = new Promise<void>((resolve) => (client.settled = resolve));
          this.#send(client, nowUs());
          await settled;
        }
      }),
    );
  }

  /** Open loop: every client sends on its own schedule, whatever is outstanding. */
  async openLoop(clients: readonly IngestClient[]): Promise<void> {
    const intervalUs = 1e6 / (this.#params.batchesPerSecond ?? 1);
    for (const client of clients) client.nextDueUs = this.#params.startAtUs + Math.random() * intervalUs;
    for (;;) {
      const now = nowUs();
      if (now >= this.windowEnd) break;
      let earliest = Number.POSITIVE_INFINITY;
      for (const client of clients) {
        while (!client.closed && client.nextDueUs <= now) {
          this.maxSendLagUs = Math.max(this.maxSendLagUs, now - client.nextDueUs);
          this.#send(client, client.nextDueUs);
          client.nextDueUs += intervalUs;
        }
        earliest = Math.min(earliest, client.nextDueUs);
      }
      await sleep(Math.max(0, (earliest - nowUs()) / 1000));
    }
  }

  #send(client: IngestClient, sentUs: number): void {
    const createdAt = new Date().toISOString();
    const events = [];
    for (let k = 0; k < this.#params.batchSize; k++) {
      const id = `${client.prefix}-${client.counter++}`;
      events.push({
        _event_id: id,
        _operation: 0,
        _created_at: createdAt,
        _data: { id, n: client.counter, pad: this.#pad },
      });
    }
    client.pending.set(events[0]?._event_id as string, { sentUs, size: events.length });
    client.session.send(JSON.stringify({ type: 'push_events_batch', repository: client.repository, events }));
  }

  #settle(client: IngestClient, firstId: string | undefined, ok: boolean): void {
    const key =
      firstId !== undefined && client.pending.has(firstId) ? firstId : client.pending.keys().next().value;
    if (key === undefined) return;
    const pending = client.pending.get(key) as Pending;
    client.pending.delete(key);
    const now = nowUs();
    if (ok && now >= this.windowStart && now < this.windowEnd) {
      this.latency.record(now - pending.sentUs);
      this.ackedEvents += pending.size;
      this.ackedBatches += 1;
    }
    const settled = client.settled;
    client.settled = undefined;
    settled?.();
  }
}

/**
 * Pushes batches as fast as acks allow (closed loop: one outstanding batch per client) or at a fixed rate
 * (open loop, latency measured from the scheduled send time so a stalled server is not hidden by a stalled
 * sender). Only acks that arrive inside the measuring window count.
 */
export async function runIngest(params: IngestParams): Promise<IngestResult> {
  const run = new IngestRun(params);
  const clients = await mapLimit(params.clients, 32, (spec, i) => run.connect(spec, i));
  await sleepUntil(params.startAtUs);
  if (params.mode === 'closed') await run.closedLoop(clients);
  else await run.openLoop(clients);
  const drainUntil = nowUs() + params.drainMs * 1000;
  while (nowUs() < drainUntil && clients.some((c) => !c.closed && c.pending.size > 0)) await sleep(20);
  const unacked = clients.reduce((n, c) => n + c.pending.size, 0);
  for (const client of clients) client.session.terminate();
  return {
    ackedEvents: run.ackedEvents,
    ackedBatches: run.ackedBatches,
    latency: run.latency.snapshot(),
    errors: run.errors,
    unacked,
    maxSendLagMs: run.maxSendLagUs / 1000,
    windowUs: [run.windowStart, run.windowEnd],
  };
}
