import { describe, expect, it } from 'vitest';
import { packageOf, summarizeProfile, type CpuProfile } from './summarize.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('parse', 'file:///w/node_modules/zod/v4/core/parse.js', 9) },
    { id: 4, callFrame: frame('broadcast', 'file:///w/services/gateway/src/ws/session-registry.ts', 19) },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  startTime: 1_000,
  endTime: 2_000,
  // One sample every 100 µs: idle, zod ×3, broadcast, gc, idle …
  samples: [2, 3, 3, 3, 4, 5, 2, 2, 2, 2],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
};

describe('summarizeProfile', () => {
  it('attributes self time per function and per package, idle excluded from busy time', () => {
    const summary = summarizeProfile('gateway0', profile, undefined);
    expect(summary.busyMs).toBeCloseTo(0.5);
    expect(summary.gcMs).toBeCloseTo(0.1);
    expect(summary.top[0]).toMatchObject({ name: 'parse zod/v4/core/parse.js:10', busyPct: 60 });
    expect(summary.byPackage.map((p) => p.name)).toEqual(['zod', 'services/gateway', '(garbage collector)']);
  });

  it('keeps only the samples inside the window', () => {
    const summary = summarizeProfile('gateway0', profile, { fromUs: 1_450, toUs: 1_650 });
    expect(summary.top.map((t) => t.name)).toEqual([
      'broadcast services/gateway/src/ws/session-registry.ts:20',
      '(garbage collector)',
    ]);
  });
});

describe('packageOf', () => {
  it('names scoped packages, workspaces, node core and native code', () => {
    expect(packageOf('x', 'file:///w/node_modules/@nats-io/nats-core/lib/a.js')).toBe('@nats-io/nats-core');
    expect(packageOf('x', 'file:///w/libs/contracts/src/a.ts')).toBe('libs/contracts');
    expect(packageOf('x', 'file:///w/apps/server/src/a.ts')).toBe('apps/server');
    expect(packageOf('x', 'node:internal/streams/writable')).toBe('node core');
    expect(packageOf('writev', '')).toBe('(native / builtins)');
  });
});
