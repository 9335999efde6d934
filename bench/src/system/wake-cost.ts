import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { serviceNode } from '@lfsync/testkit';
import { cpuNs } from './proc.ts';

/** Loopback round trips between two Node processes, and the CPU both spent on each. */
export interface RoundTrips {
  count: number;
  rttP50Us: number;
  /** Both processes' time on a CPU per round trip, every thread counted. */
  cpuUsPerRoundTrip: number;
}

/**
 * What waking a sleeping process costs on this machine. At a low event rate every hop of the pipeline
 * (gateway → NATS → sequencer → NATS → persister → FerretDB → …) wakes a process that had gone idle; on a
 * virtual machine that costs far more than the work itself, and the bench's CPU per event there counts it.
 */
export interface WakeCost {
  /** Back to back: neither process sleeps between round trips. */
  busy: RoundTrips;
  /** `gapMs` apart: both processes sleep in between, as the services do at 20 events/s. */
  idle: RoundTrips & { gapMs: number };
}

const ECHO_SERVER = `
const server = require('node:net').createServer((s) => { s.setNoDelay(true); s.on('data', (d) => s.write(d)); });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;
const MESSAGE = Buffer.alloc(100, 'x');

export async function measureWakeCost(
  options: { busyCount?: number; idleCount?: number; gapMs?: number } = {},
): Promise<WakeCost> {
  const gapMs = options.gapMs ?? 20;
  const child = spawn(serviceNode(), ['-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (line: Buffer) => resolve(Number(line.toString().trim())));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
    const socket = connect(port, '127.0.0.1').setNoDelay(true);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const pids = [process.pid, child.pid as number];
    await roundTrips(socket, pids, 50, 0); // warm-up
    const busy = await roundTrips(socket, pids, options.busyCount ?? 2_000, 0);
    const idle = await roundTrips(socket, pids, options.idleCount ?? 150, gapMs);
    socket.destroy();
    return { busy, idle: { ...idle, gapMs } };
  } finally {
    child.kill();
  }
}

async function roundTrips(socket: Socket, pids: number[], count: number, gapMs: number): Promise<RoundTrips> {
  const rtts: number[] = [];
  // Sleeping costs no CPU: the whole phase's CPU is what the round trips and their wake-ups cost.
  const cpuBefore = pids.reduce((n, pid) => n + cpuNs(pid), 0);
  for (let i = 0; i < count; i++) {
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const sent = performance.now();
    await new Promise((resolve) => {
      socket.once('data', resolve);
      socket.write(MESSAGE);
    });
    rtts.push(performance.now() - sent);
  }
  const cpu = pids.reduce((n, pid) => n + cpuNs(pid), 0) - cpuBefore;
  rtts.sort((a, b) => a - b);
  return { count, rttP50Us: (rtts[count >> 1] ?? Number.NaN) * 1000, cpuUsPerRoundTrip: cpu / count / 1000 };
}
