import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Linux /proc readers: resident memory, CPU time, sleeps and file limits of a process. */

export function rssBytes(pid: number): number {
  return statusField(pid, 'VmRSS');
}

function statusField(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds the process has used (its own threads, not its children). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** Sums `read` of one file of each of the process's threads (`/proc/<pid>/task/<tid>/<file>`). */
function sumOverThreads(pid: number, file: string, read: (text: string) => number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += read(readFileSync(`/proc/${pid}/task/${tid}/${file}`, 'utf8'));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}

/** Nanoseconds the process's threads spent on a CPU (`schedstat`, exact, unlike the ticks of `cpuSeconds`). */
export function cpuNs(pid: number): number {
  return sumOverThreads(pid, 'schedstat', (text) => Number(text.split(' ')[0]));
}

/** Times the process's threads went to sleep of their own accord (voluntary context switches). */
export function sleeps(pid: number): number {
  return sumOverThreads(pid, 'status', (text) =>
    Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(text)?.[1] ?? 0),
  );
}

/** The soft RLIMIT_NOFILE of a process (how many sockets it may hold). */
export function openFileLimit(pid: number = process.pid): number {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const match = /^Max open files\s+(\d+)\s+(\d+)/m.exec(limits);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]);
  } catch {
    return Number.NaN;
  }
}

interface CpuShare {
  name: string;
  cpuSeconds: number;
  /** CPU seconds per wall second: 1.0 = one core fully busy. */
  cores: number;
}

export interface CpuReport {
  wallSeconds: number;
  processes: CpuShare[];
  /** Every process on the machine, ours or not (other users' test runs compete for the same cores). */
  machineCores: number;
  /** `machineCores` minus the processes listed: what else ran meanwhile. */
  otherCores: number;
}

/** CPU used by named processes over a phase, to show where a 2-core machine's time went. */
export class CpuMeter {
  readonly #pids: ReadonlyMap<string, readonly number[]>;
  readonly #start = new Map<string, number>();
  readonly #machineStart = machineCpuSeconds();
  readonly #startedAt = performance.now();

  constructor(pids: Record<string, number | readonly number[] | undefined>) {
    const map = new Map<string, readonly number[]>();
    for (const [name, value] of Object.entries(pids)) {
      if (value === undefined) continue;
      map.set(name, typeof value === 'number' ? [value] : value);
    }
    this.#pids = map;
    for (const [name, list] of map) this.#start.set(name, sum(list.map(cpuSeconds)));
  }

  stop(): CpuReport {
    const wallSeconds = (performance.now() - this.#startedAt) / 1000;
    const processes: CpuShare[] = [];
    for (const [name, list] of this.#pids) {
      const used = sum(list.map(cpuSeconds)) - (this.#start.get(name) ?? 0);
      processes.push({ name, cpuSeconds: used, cores: used / wallSeconds });
    }
    processes.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    const machineEnd = machineCpuSeconds();
    const machineCores =
      machineEnd === undefined || this.#machineStart === undefined
        ? Number.NaN
        : (machineEnd - this.#machineStart) / wallSeconds;
    const ours = processes.reduce((n, p) => n + p.cores, 0);
    return { wallSeconds, processes, machineCores, otherCores: Math.max(0, machineCores - ours) };
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
}

/** Busy CPU seconds of the whole machine (all processes, also other users'), from /proc/stat. */
function machineCpuSeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / clockTicks()
    );
  } catch {
    return undefined;
  }
}

/** `CPU-seconds: ferretdb 8.1, sequencer 4.2, …` over the window (user + system time from /proc/<pid>/stat). */
export function describeCpuSeconds(cpu: CpuReport): string {
  const parts = cpu.processes.map((p) => `${p.name} ${p.cpuSeconds.toFixed(2)}`);
  return `CPU-seconds in ${cpu.wallSeconds.toFixed(1)} s: ${parts.join(', ')}`;
}
