/**
 * Loaded into a service by the bench only (`node --expose-gc --import …`, see stack/bench-stack.ts): on
 * SIGUSR2 it collects all garbage and writes the process's memory to `$BENCH_HEAP_PROBE_DIR/<pid>.json`, so
 * the bench reads the live heap rather than live data plus whatever garbage the last GC left.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env['BENCH_HEAP_PROBE_DIR'];
const gc = (globalThis as { gc?: () => void }).gc;
if (dir !== undefined && gc !== undefined) {
  let probes = 0;
  process.on('SIGUSR2', () => {
    // Twice: objects with finalizers or weak references need a second full collection.
    gc();
    gc();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ probe: (probes += 1), ...process.memoryUsage() }));
    renameSync(`${file}.tmp`, file);
  });
}
