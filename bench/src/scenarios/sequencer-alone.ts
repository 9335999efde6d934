import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { busNames } from '@lfsync/contracts';
import {
  ServerProcess,
  freePort,
  serviceNode,
  startNatsServer,
  uniqueName,
  waitUntilReady,
} from '@lfsync/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Histogram, type LatencySummary } from '../stats/histogram.ts';
import { describeCost, unitCost, type UnitCost } from '../system/cost.ts';
import { CpuMeter, describeCpuSeconds, type CpuReport } from '../system/proc.ts';
import { range, type ScenarioContext } from './context.ts';

export interface SequencerAloneResult {
  requesters: number;
  batchSize: number;
  eventsPerSec: number;
  /** Request → reply, as the gateway sees it. */
  latency: LatencySummary;
  cpu: CpuReport;
  /** CPU per sequenced event: the sequencer's own apart from nats-server's. */
  cost: UnitCost;
}

const root = resolve(import.meta.dirname, '../../..');
const WARMUP_MS = 2_000;

function events(count: number, payloadBytes: number): Array<Record<string, unknown>> {
  return range(count).map(() => ({
    _event_id: randomUUID(),
    _operation: 0,
    _created_at: Date.now(),
    _data: { pad: 'x'.repeat(payloadBytes) },
  }));
}

/** R requesters, one request outstanding each, all to one repository, for `untilMs`; latency after `fromMs`. */
async function closedLoop(
  ctx: ScenarioContext,
  nc: NatsConnection,
  subject: string,
  window: [number, number],
) {
  const { options } = ctx;
  const latency = new Histogram();
  let sequenced = 0;
  const requester = async () => {
    while (performance.now() < window[1]) {
      const body = JSON.stringify({
        repository: 'hot',
        events: events(options['hot-batch'], options['ingest-payload']),
      });
      const sent = performance.now();
      await nc.request(subject, body, { timeout: 30_000 });
      if (sent >= window[0] && performance.now() <= window[1]) {
        latency.record((performance.now() - sent) * 1000);
        sequenced += options['hot-batch'];
      }
    }
  };
  await Promise.all(range(options['hot-clients']).map(requester));
  return { latency, sequenced };
}

function sequencerProcess(natsUrl: string, prefix: string, port: number): ServerProcess {
  return new ServerProcess({
    name: 'sequencer',
    command: serviceNode(),
    args: ['--import', 'tsx', join(root, 'services/sequencer/src/main.ts')],
    port,
    env: {
      NATS_URL: natsUrl,
      BUS_PREFIX: prefix,
      OPS_PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    startTimeoutMs: 90_000,
  });
}

/**
 * The sequencer alone, one process, on its own nats-server: the hot repository's requests straight on the
 * bus (no gateway, persister or database), to see what one repository's serial chain carries and what
 * it costs per event.
 */
export async function runSequencerAlone(ctx: ScenarioContext): Promise<SequencerAloneResult> {
  const { options } = ctx;
  const nats = await startNatsServer();
  const port = await freePort();
  const prefix = uniqueName('b');
  const sequencer = sequencerProcess(nats.url, prefix, port);
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  try {
    await sequencer.start();
    await waitUntilReady(`http://127.0.0.1:${port}`);
    ctx.log(
      `sequencer alone: ${options['hot-clients']} requesters × ${options['hot-batch']} events → one repository`,
    );
    const start = performance.now() + WARMUP_MS;
    const window: [number, number] = [start, start + options['hot-duration-ms']];
    const running = closedLoop(ctx, nc, busNames(prefix).sequenceSubject, window);
    // A failure during the warm-up is reported by `await running` below, after the stack is stopped.
    running.catch(() => undefined);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    // The requesters run in this process: it is the load generator here.
    const meter = new CpuMeter({
      sequencer: sequencer.pid,
      'nats-server': nats.process.pid,
      generators: process.pid,
    });
    const { latency, sequenced } = await running;
    const cpu = meter.stop();
    const cost = unitCost(cpu, sequenced, 'sequenced event');
    const eventsPerSec = sequenced / (options['hot-duration-ms'] / 1000);
    ctx.log(
      `sequencer alone: ${Math.round(eventsPerSec)} events/s; ${describeCost(cost)}; ${describeCpuSeconds(cpu)}`,
    );
    return {
      requesters: options['hot-clients'],
      batchSize: options['hot-batch'],
      eventsPerSec,
      latency: latency.summary(),
      cpu,
      cost,
    };
  } finally {
    await nc.close();
    await sequencer.stop();
    await nats.dispose();
  }
}
