import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import type { Session } from '../ws/session.ts';
import { startHeartbeat } from './heartbeat.ts';

describe('startHeartbeat', () => {
  it('beats every session once per interval until stopped', async () => {
    const clock = new FakeClock();
    let beats = 0;
    const sessions = new Set([{ heartbeat: () => (beats += 1) } as unknown as Session]);
    const stop = startHeartbeat(sessions, 1_000, clock);
    await clock.advance(999);
    expect(beats).toBe(0);
    await clock.advance(2_001);
    expect(beats).toBe(3);
    stop();
    await clock.advance(10_000);
    expect(beats).toBe(3);
  });
});
