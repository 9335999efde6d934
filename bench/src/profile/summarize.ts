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

interface SelfTime {
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

type Window = { fromUs: number; toUs: number } | undefined;

/** Self time per profile node over the samples inside the window, and the span those samples cover. */
function selfTimes(profile: CpuProfile, window: Window): { selfUs: Map<number, number>; windowUs: number } {
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
  return { selfUs, windowUs: Number.isFinite(windowStart) ? windowEnd - windowStart : 0 };
}

function functionLabel({ functionName, url, lineNumber }: CpuProfile['nodes'][number]['callFrame']): string {
  if (SPECIAL.has(functionName)) return functionName;
  const line = url === '' || lineNumber === 0 ? '' : `:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'} ${shortLocation(url)}${line}`;
}

interface Attribution {
  byFunction: Map<string, number>;
  byPackage: Map<string, number>;
  idleUs: number;
  gcUs: number;
}

/** Adds each node's self time to its function and its package; idle time is counted apart. */
function attribute(profile: CpuProfile, selfUs: Map<number, number>): Attribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const result: Attribution = { byFunction: new Map(), byPackage: new Map(), idleUs: 0, gcUs: 0 };
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') {
      result.idleUs += us;
      continue;
    }
    if (functionName === '(garbage collector)') result.gcUs += us;
    const name = functionLabel(node.callFrame);
    result.byFunction.set(name, (result.byFunction.get(name) ?? 0) + us);
    const pkg = packageOf(functionName, url);
    result.byPackage.set(pkg, (result.byPackage.get(pkg) ?? 0) + us);
  }
  return result;
}

function rank(map: Map<string, number>, n: number, busyUs: number): SelfTime[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, selfMs: us / 1000, busyPct: busyUs === 0 ? 0 : (100 * us) / busyUs }));
}

/**
 * Self time per function (and per package) over the samples inside `[fromUs, toUs]`, so the summary covers
 * the measuring window only, not the process start (tsx transpiling) or the idle tail.
 */
export function summarizeProfile(
  service: string,
  profile: CpuProfile,
  window: Window,
  topN = 12,
): ProfileSummary {
  const { selfUs, windowUs } = selfTimes(profile, window);
  const { byFunction, byPackage, idleUs, gcUs } = attribute(profile, selfUs);
  const busyUs = [...byFunction.values()].reduce((a, b) => a + b, 0);
  return {
    service,
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    busyShare: windowUs === 0 ? 0 : busyUs / windowUs,
    gcMs: gcUs / 1000,
    idleMs: idleUs / 1000,
    top: rank(byFunction, topN, busyUs),
    byPackage: rank(byPackage, 10, busyUs),
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
  const workspace = /\/(apps|services|libs|clients|tests|bench)\/([^/]+)\//.exec(url);
  if (workspace !== null) return `${workspace[1]}/${workspace[2]}`;
  return 'other';
}

function shortLocation(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const workspace = /\/((?:apps|services|libs|clients|tests|bench)\/.*)$/.exec(url);
  return workspace?.[1] ?? url.replace(/^file:\/\//, '');
}
