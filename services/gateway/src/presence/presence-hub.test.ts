import { InProcessPresenceBus } from '@lfsync/embedded';
import { FakeClock, captureLogs } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { PresenceHub } from './presence-hub.ts';

const timing = { heartbeatMs: 1_000, timeoutMs: 3_000, queryWaitMs: 100 };

function watcher(sessionId: string) {
  const frames: unknown[] = [];
  return { sessionId, frames, send: (frame: string) => frames.push(JSON.parse(frame)) };
}

const member = (sessionId: string, subject: string, meta = {}) => ({ sessionId, subject, meta });

describe('PresenceHub', () => {
  it('shows members of two gateways, with a snapshot, joins and leaves; a silent gateway expires', async () => {
    const clock = new FakeClock();
    const bus = new InProcessPresenceBus(captureLogs('warn').logger);
    const logger = captureLogs('warn').logger;
    const one = new PresenceHub('g1', bus, clock, timing, logger);
    const two = new PresenceHub('g2', bus, clock, timing, logger);
    one.start();
    two.start();
    const alice = watcher('s1');
    one.set('doc', member('s1', 'alice'), alice);
    await clock.advance(100);
    expect(alice.frames).toEqual([{ type: 'presence', repository: 'doc', members: [member('s1', 'alice')] }]);

    const bob = watcher('s2');
    two.set('doc', member('s2', 'bob', { color: 'red' }), bob);
    await clock.advance(100);
    expect(bob.frames).toEqual([
      {
        type: 'presence',
        repository: 'doc',
        members: [member('s2', 'bob', { color: 'red' }), member('s1', 'alice')],
      },
    ]);
    expect(alice.frames.at(-1)).toEqual({
      type: 'presence_diff',
      repository: 'doc',
      joins: [member('s2', 'bob', { color: 'red' })],
      leaves: [],
    });

    two.stop(); // as if it died: no leave, no more heartbeats
    await clock.advance(4_000);
    expect(alice.frames.at(-1)).toEqual({
      type: 'presence_diff',
      repository: 'doc',
      joins: [],
      leaves: ['s2'],
    });
    expect(one.memberCount('doc')).toBe(1);
    one.leave('doc', 's1');
    expect(one.memberCount('doc')).toBe(0);
    one.stop();
  });
});
