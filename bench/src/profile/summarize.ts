import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a self-time summary needs. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  /** Microseconds on CLOCK_MONOTONIC (the clock `process.hrtime` reads in any process on the machine). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time in the window. */
  busyPct: number;
}

export interface ProfileSummary {
  service: string;
  /** Wall time of the window covered by samples. */
  windowMs: number;
  /** Time not idle: JS, GC, native and runtime. */
  busyMs: number;
  /** busyMs / windowMs: how much of one core the process used (by the profiler's account). */
  busyShare: number;
  gcMs: number;
  idleMs: number;
  top: SelfTime[];
  byPackage: SelfTime[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/**
 * Self time per function (and per package) over the samples inside `[fromUs, toUs]`, so the summary covers
 * the measuring window only, not the process start (tsx transpiling) or the idle tail.
 */
export function summarizeProfile(
  service: string,
  profile: CpuProfile,
  window: { fromUs: number; toUs: number } | undefined,
  topN = 12,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (window !== undefined && (t < window.fromUs || t > window.toUs)) continue;
    windowStart = Math.min(windowStart, t);
    windowEnd = Math.max(windowEnd, t + duration);
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration);
  }

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    if (functionName === '(garbage collector)') gcUs += us;
    const name = SPECIAL.has(functionName)
      ? functionName
      : `${functionName || '(anonymous)'} ${shortLocation(url)}${url === '' || lineNumber === 0 ? '' : `:${lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = packageOf(functionName, url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const windowUs = Number.isFinite(windowStart) ? windowEnd - windowStart : 0;
  const busyUs = [...byFunction.values()].reduce((a, b) => a + b, 0);
  const rank = (map: Map<string, number>, n: number): SelfTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, busyPct: busyUs === 0 ? 0 : (100 * us) / busyUs }));
  return {
    service,
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    busyShare: windowUs === 0 ? 0 : busyUs / windowUs,
    gcMs: gcUs / 1000,
    idleMs: idleUs / 1000,
    top: rank(byFunction, topN),
    byPackage: rank(byPackage, 10),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** Where a function lives: an npm package, a workspace package, node's own code, or native/runtime. */
export function packageOf(functionName: string, url: string): string {
  if (SPECIAL.has(functionName)) return functionName;
  if (url === '') return '(native / builtins)';
  if (url.startsWith('node:')) return 'node core';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const workspace = /\/(services|libs|clients|tests|bench)\/([^/]+)\//.exec(url);
  if (workspace !== null) return `${workspace[1]}/${workspace[2]}`;
  return 'other';
}

function shortLocation(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const workspace = /\/((?:services|libs|clients|tests|bench)\/.*)$/.exec(url);
  return workspace?.[1] ?? url.replace(/^file:\/\//, '');
}
