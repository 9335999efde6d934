/**
 * Each server process's CPU and sleeps per push at a low rate: one client pushes single events into one
 * repository (default 20/s for 20 s) on a fresh bench stack. A sleep is a voluntary context switch of any of
 * the process's threads; at low rates their wake-ups, not the work, are most of the CPU per event (compare the
 * machine's wake-up cost, wake-cost.ts).
 *
 *   npx tsx bench/src/system/pipeline-wakeups.ts [--rate 20] [--seconds 20]
 */
import { parseArgs } from 'node:util';
import { WsTestClient } from '@lfsync/testkit';
import { table } from '../report/format.ts';
import { startBenchStack } from '../stack/bench-stack.ts';
import { oneEventPush, padding } from '../load/util.ts';
import { signToken } from '../stack/tokens.ts';
import { cpuNs, sleeps } from './proc.ts';

const { values } = parseArgs({
  options: { rate: { type: 'string', default: '20' }, seconds: { type: 'string', default: '20' } },
});

const stack = await startBenchStack({ gateways: 2 });
const client = await WsTestClient.connect(stack.gatewayUrl(0));
await client.auth(await signToken('pusher'));
let pushed = 0;
const push = () => client.sendRaw(oneEventPush('wakeups', `e${pushed++}`, { id: 'x', pad: padding(100) }));
const timer = setInterval(push, 1000 / Number(values.rate));
await new Promise((resolve) => setTimeout(resolve, 5_000)); // warm-up
const pids = Object.entries(stack.pids()).filter((e): e is [string, number] => e[1] !== undefined);
const before = pids.map(([, pid]) => ({ cpu: cpuNs(pid), sleeps: sleeps(pid) }));
const pushedBefore = pushed;
await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
const pushes = pushed - pushedBefore;
const rows = pids.map(([label, pid], i) => [
  label,
  ((cpuNs(pid) - (before[i]?.cpu ?? 0)) / 1000 / pushes).toFixed(0),
  ((sleeps(pid) - (before[i]?.sleeps ?? 0)) / pushes).toFixed(1),
]);
clearInterval(timer);
await client.close();
await stack.stop();
process.stdout.write(
  `${pushes} single-event pushes at ${values.rate}/s, one repository:\n\n${table(['process', 'CPU µs per push', 'sleeps per push (all threads)'], rows)}\n`,
);
process.exit(0);
