import { Agent, request } from 'node:http';
import { Histogram } from '../stats/histogram.ts';
import { signToken } from '../stack/tokens.ts';
import { LfsSession } from './lfs-session.ts';
import { nowUs, type PublishParams, type PublishResult } from './messages.ts';
import { count, errorKey, padding, sleep, sleepUntil } from './util.ts';

/**
 * Publishes events at a fixed rate (open loop) with the send time in `_data.t`, so every receiver can take
 * the end-to-end delivery latency; the publisher itself measures push → ack.
 */
export async function publish(params: PublishParams): Promise<PublishResult> {
  stopRequested.delete(params.topic);
  return params.protocol === 'lfs' ? publishLfs(params) : publishCentrifugo(params);
}

/** Topics whose publishers should stop at their next due time (`stopPublish`). */
const stopRequested = new Set<string>();

export function stopPublish(params: { topic: string }): { ok: true } {
  stopRequested.add(params.topic);
  return { ok: true };
}

interface Schedule {
  next(): Promise<number | undefined>;
  maxLagUs: number;
}

/** Due times `startAtUs + k / rate` until the duration ends; `next` sleeps until the next one. */
function schedule(params: PublishParams): Schedule {
  const intervalUs = (1e6 * params.batchSize) / params.ratePerSecond;
  const endUs = params.startAtUs + params.durationMs * 1000;
  let dueUs = params.startAtUs;
  const state: Schedule = {
    maxLagUs: 0,
    async next() {
      if (dueUs >= endUs || stopRequested.has(params.topic)) return undefined;
      await sleepUntil(dueUs);
      const scheduled = dueUs;
      state.maxLagUs = Math.max(state.maxLagUs, nowUs() - scheduled);
      dueUs += intervalUs;
      return scheduled;
    },
  };
  return state;
}

/** What a publisher's acks and errors add up to; `pending` holds each batch's scheduled time by first event id. */
interface LfsTally {
  readonly ackLatency: Histogram;
  readonly errors: Record<string, number>;
  readonly pending: Map<string, number>;
  acked: number;
  lastSequence: number;
}

async function connectPublisher(params: PublishParams, tally: LfsTally): Promise<LfsSession> {
  const { pending, errors } = tally;
  const token = await signToken(params.subject, { read: [], write: [params.topic] });
  return LfsSession.connect(params.endpoint, token, {
    onAck: (eventIds, sequences) => {
      const scheduled = pending.get(eventIds[0] ?? '');
      if (scheduled !== undefined) {
        pending.delete(eventIds[0] as string);
        tally.ackLatency.record(nowUs() - scheduled);
      }
      tally.acked += eventIds.length;
      for (const s of Object.values(sequences)) if (s > tally.lastSequence) tally.lastSequence = s;
    },
    onError: (code, eventIds) => {
      count(errors, code);
      if (eventIds?.[0] !== undefined) pending.delete(eventIds[0]);
    },
    onClose: (code) => count(errors, `closed ${code}`),
  });
}

/** `batchSize` events numbered from `seq + 1`, stamped with the send time `t`. */
function publishBatch(params: PublishParams, seq: number, t: number, pad: string) {
  const createdAt = new Date().toISOString();
  return Array.from({ length: params.batchSize }, (_, k) => {
    const id = `${params.subject}-${seq + k + 1}`;
    return { _event_id: id, _operation: 0, _created_at: createdAt, _data: { id, t, seq: seq + k + 1, pad } };
  });
}

async function publishLfs(params: PublishParams): Promise<PublishResult> {
  const tally: LfsTally = {
    ackLatency: new Histogram(),
    errors: {},
    pending: new Map(),
    acked: 0,
    lastSequence: 0,
  };
  const session = await connectPublisher(params, tally);
  const pad = padding(params.payloadBytes);
  const plan = schedule(params);
  let sent = 0;
  for (let scheduled = await plan.next(); scheduled !== undefined; scheduled = await plan.next()) {
    const events = publishBatch(params, sent, nowUs(), pad);
    tally.pending.set(events[0]?._event_id as string, scheduled);
    session.send(JSON.stringify({ type: 'push_events_batch', repository: params.topic, events }));
    sent += events.length;
  }
  const drainUntil = nowUs() + params.drainMs * 1000;
  while (tally.pending.size > 0 && nowUs() < drainUntil && session.isOpen) await sleep(10);
  session.close();
  return {
    sent,
    acked: tally.acked,
    ackLatency: tally.ackLatency.snapshot(),
    errors: tally.errors,
    lastSequence: tally.lastSequence,
    maxSendLagMs: plan.maxLagUs / 1000,
  };
}

async function publishCentrifugo(params: PublishParams): Promise<PublishResult> {
  const ackLatency = new Histogram();
  const errors: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL('/api/publish', params.endpoint.url);
  const pad = padding(params.payloadBytes);
  const plan = schedule(params);
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let acked = 0;
  let seq = 0;
  for (let scheduled = await plan.next(); scheduled !== undefined; scheduled = await plan.next()) {
    for (let k = 0; k < params.batchSize; k++) {
      seq += 1;
      const body = JSON.stringify({ channel: params.topic, data: { t: nowUs(), seq, pad } });
      sent += 1;
      const work = post(agent, url, params.apiKey ?? '', body).then(
        (status) => {
          if (status === 200) {
            acked += 1;
            ackLatency.record(nowUs() - scheduled);
          } else count(errors, `http ${status}`);
        },
        (err: unknown) => count(errors, errorKey(err)),
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    }
  }
  const drain = Promise.all(inFlight);
  await Promise.race([drain, sleep(params.drainMs)]);
  agent.destroy();
  return {
    sent,
    acked,
    ackLatency: ackLatency.snapshot(),
    errors,
    lastSequence: seq,
    maxSendLagMs: plan.maxLagUs / 1000,
  };
}

function post(agent: Agent, url: URL, apiKey: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'x-api-key': apiKey,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
