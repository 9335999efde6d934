/**
 * What `TCP_NAGLE=readers` costs on a network with a real round trip, which the co-located bench cannot show:
 * subscribers in a namespace behind a delay line (default 10 ms each way), a publisher on loopback, and the
 * same loads with the option off and on, alternating. Needs root, iproute2 and Go.
 *
 *   npx tsx bench/src/network/nagle-over-delay-line.ts [--sessions 20] [--rates 20,100] [--own-push-ms 0,500] [--pairs 2]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { publish } from '../load/publisher.ts';
import { nowUs } from '../load/messages.ts';
import { ms, table } from '../report/format.ts';
import { startBenchStack } from '../stack/bench-stack.ts';
import type { LatencySummary } from '../stats/histogram.ts';
import { startDelayLine, type DelayLine } from './delay-line.ts';
import type { SubscribersParams } from './delayed-subscribers.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20' },
    rates: { type: 'string', default: '20,100' },
    'own-push-ms': { type: 'string', default: '0,500' },
    pairs: { type: 'string', default: '2' },
    'one-way-ms': { type: 'string', default: '10' },
    'window-ms': { type: 'string', default: '12000' },
  },
});
const numbers = (list: string) => list.split(',').map(Number);
const WARMUP_MS = 3_000;

interface Load {
  rate: number;
  ownPushMs: number;
}

async function run(line: DelayLine, nagle: 'off' | 'readers', load: Load): Promise<LatencySummary> {
  const stack = await startBenchStack({ gateways: 2, gatewayHost: '0.0.0.0', env: { TCP_NAGLE: nagle } });
  try {
    const topic = `nagle-${Date.now().toString(36)}`;
    const params: SubscribersParams = {
      urls: [0, 1].map((i) => `ws://${line.serverAddress}:${new URL(stack.gatewayUrl(i)).port}/sync`),
      sessions: Number(values.sessions),
      topic,
      warmupMs: WARMUP_MS,
      windowMs: Number(values['window-ms']),
      ownPushEveryMs: load.ownPushMs,
    };
    const script = new URL('./delayed-subscribers.ts', import.meta.url).pathname;
    const subscribers = spawn(
      'ip',
      ['netns', 'exec', line.namespace, process.execPath, '--import', 'tsx', script, JSON.stringify(params)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: subscribers.stdout })[Symbol.asyncIterator]();
    if ((await lines.next()).value !== 'ready') throw new Error('the subscribers did not start');
    const publishing = publish({
      protocol: 'lfs',
      endpoint: { url: stack.gatewayUrl(0) },
      topic,
      subject: 'publisher',
      ratePerSecond: load.rate,
      batchSize: 1,
      payloadBytes: 100,
      startAtUs: nowUs(),
      durationMs: WARMUP_MS + params.windowMs + 1_000,
      drainMs: 5_000,
    });
    const result = (await lines.next()).value as string | undefined;
    await publishing;
    if (result === undefined) throw new Error('the subscribers ended without a result');
    return JSON.parse(result) as LatencySummary;
  } finally {
    await stack.stop();
  }
}

const line = await startDelayLine(Number(values['one-way-ms']));
const rows: string[][] = [];
try {
  for (let pair = 1; pair <= Number(values.pairs); pair++)
    for (const ownPushMs of numbers(values['own-push-ms']))
      for (const rate of numbers(values.rates))
        for (const nagle of ['off', 'readers'] as const) {
          const l = await run(line, nagle, { rate, ownPushMs });
          const writes = ownPushMs === 0 ? 'no' : `1 push / ${ownPushMs} ms`;
          rows.push([
            String(pair),
            nagle,
            `${rate}/s`,
            writes,
            String(l.count),
            ms(l.p50Ms),
            ms(l.p90Ms),
            ms(l.p99Ms),
            ms(l.maxMs),
          ]);
          process.stdout.write(`${rows.at(-1)?.join(' | ')}\n`);
        }
} finally {
  line.dispose();
}
process.stdout.write(
  `\n${values.sessions} sessions over 2 gateways behind a ${values['one-way-ms']} ms each-way delay line:\n\n` +
    `${table(['pair', 'TCP_NAGLE', 'events/s', 'sessions also write', 'deliveries', 'p50', 'p90', 'p99', 'max'], rows)}\n`,
);
