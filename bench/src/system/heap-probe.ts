import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../load/util.ts';

export interface ProbedMemory {
  /** V8 heap in use right after a full garbage collection. */
  heapUsed: number;
  rss: number;
}

function lastProbe(file: string): ({ probe: number } & ProbedMemory) | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { probe: number } & ProbedMemory;
  } catch {
    return undefined;
  }
}

/**
 * The live memory of a service started with the heap probe (probes/heap-on-signal.ts): signals it, then
 * waits for its answer in `dir`.
 */
export async function memoryAfterGc(pid: number, dir: string, timeoutMs = 60_000): Promise<ProbedMemory> {
  const file = join(dir, `${pid}.json`);
  const before = lastProbe(file)?.probe ?? 0;
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = lastProbe(file);
    if (answer !== undefined && answer.probe > before) return { heapUsed: answer.heapUsed, rss: answer.rss };
    await sleep(50);
  }
  throw new Error(`process ${pid} did not answer the heap probe within ${timeoutMs} ms`);
}
