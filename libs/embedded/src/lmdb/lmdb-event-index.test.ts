import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LmdbEnvironment } from './lmdb-environment.ts';
import { LmdbEventIndex } from './lmdb-event-index.ts';

const WINDOW_MS = 60_000;

/** An index in a fresh directory; `reopen` closes the environment and opens it again, as a restart. */
function open(windowMs = WINDOW_MS) {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-index-'));
  const clock = new FakeClock();
  let env = LmdbEnvironment.open(dir);
  onTestFinished(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    clock,
    index: new LmdbEventIndex(env, { windowMs, clock }),
    /** Another index on the same environment, e.g. one without a window. */
    sibling: (siblingWindowMs: number) => new LmdbEventIndex(env, { windowMs: siblingWindowMs, clock }),
    reopen: async () => {
      await env.close();
      env = LmdbEnvironment.open(dir);
      return new LmdbEventIndex(env, { windowMs, clock });
    },
  };
}

const entries = (ids: string[], from = 1) => ids.map((id, i) => [id, from + i] as const);

describe('LmdbEventIndex with a window', () => {
  it('removes entries once older than the window, also after a restart, and keeps the younger ones', async () => {
    const { index: first, clock, reopen } = open();
    await first.putMany('r', entries(['e1', 'e2']));
    await clock.advance(WINDOW_MS - 1_000);
    await first.putMany('r', entries(['e3'], 3));
    expect(await first.sweep()).toBe(0);

    const index = await reopen();
    expect(index.size).toBe(3);
    await clock.advance(1_001);
    expect(await index.sweep()).toBe(2);
    expect(index.size).toBe(1);
    expect(await index.getMany('r', ['e1', 'e2', 'e3'])).toEqual(new Map([['e3', 3]]));
    await clock.advance(WINDOW_MS);
    expect(await index.sweep()).toBe(1);
    expect(index.size).toBe(0);
  });

  it('counts an id indexed again from its latest indexing', async () => {
    const { index, clock } = open();
    await index.putMany('r', entries(['e1']));
    await clock.advance(WINDOW_MS / 2);
    await index.putMany('r', entries(['e1']));
    await clock.advance(WINDOW_MS / 2 + 1);
    expect(await index.sweep()).toBe(0);
    expect(await index.getMany('r', ['e1'])).toEqual(new Map([['e1', 1]]));
    await clock.advance(WINDOW_MS / 2);
    expect(await index.sweep()).toBe(1);
  });

  it('sweeps more than one transaction holds, batch after batch', async () => {
    const { index, clock } = open();
    const ids = Array.from({ length: 25_000 }, (_, i) => `e${i}`);
    await index.putMany('r', entries(ids));
    await clock.advance(WINDOW_MS + 1);
    expect(await index.sweep()).toBe(25_000);
    expect(index.size).toBe(0);
  });

  it('removes entries written without a window one window after the first sweep saw them', async () => {
    const { index, clock, sibling } = open();
    await sibling(0).putMany('r', entries(['old1', 'old2']));
    expect(await index.sweep()).toBe(0);
    await clock.advance(WINDOW_MS / 2);
    await index.putMany('r', entries(['new'], 3));
    await clock.advance(WINDOW_MS / 2);
    expect(await index.sweep()).toBe(2);
    expect(await index.getMany('r', ['old1', 'old2', 'new'])).toEqual(new Map([['new', 3]]));

    // Written without a window again: those wait for a window of their own.
    await sibling(0).putMany('r', entries(['old3'], 4));
    await clock.advance(WINDOW_MS);
    expect(await index.sweep()).toBe(1);
    expect(await index.getMany('r', ['old3'])).toEqual(new Map([['old3', 4]]));
    await clock.advance(WINDOW_MS);
    expect(await index.sweep()).toBe(1);
    expect(index.size).toBe(0);
  });

  it('sweeps in the background until stopped', async () => {
    const { index, clock } = open();
    const swept: number[] = [];
    index.startSweeping(
      (removed) => swept.push(removed),
      (err) => {
        throw err;
      },
    );
    await index.putMany('r', entries(['e1', 'e2']));
    await clock.advance(WINDOW_MS + 1);
    await expect.poll(() => clock.advance(1_000).then(() => swept), { timeout: 10_000 }).toEqual([2]);
    await index.stopSweeping();
    await index.putMany('r', entries(['e3'], 3));
    await clock.advance(2 * WINDOW_MS);
    expect(clock.pendingDelaysMs).toEqual([]);
    expect(index.size).toBe(1);
  });

  it('keeps every entry without a window', async () => {
    const { index, clock } = open(0);
    await index.putMany('r', entries(['e1']));
    await clock.advance(10 * WINDOW_MS);
    expect(await index.sweep()).toBe(0);
    expect(await index.getMany('r', ['e1'])).toEqual(new Map([['e1', 1]]));
  });
});
