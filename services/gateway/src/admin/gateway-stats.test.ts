import { MAX_STATS_REPOSITORIES } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { SessionRegistry } from '../ws/session-registry.ts';
import { gatewayRepositories } from './gateway-stats.ts';

const session = () => ({ deliver: () => true, awaitingAck: false });

describe('gatewayRepositories', () => {
  it('reports subscribed, present and committed repositories with their counts, busiest first', () => {
    const registry = new SessionRegistry({ implicitAll: false });
    const [a, b, c] = [session(), session(), session()];
    for (const s of [a, b, c]) registry.set(s, true);
    registry.subscribe(a, 'doc');
    registry.subscribe(b, 'doc');
    registry.subscribe(c, 'team/*');
    const presence = new Map([['room', 2]]);
    const committed = [{ repository: 'team/x', head: 9, events: 3 }];
    expect(gatewayRepositories(registry, presence, committed)).toEqual([
      { repository: 'doc', subscribers: 2, presence: 0 },
      { repository: 'room', subscribers: 0, presence: 2 },
      // Subscribed through a pattern: counted once its commits show it exists.
      { repository: 'team/x', subscribers: 1, presence: 0, head: 9 },
    ]);
  });

  it('picks the repositories most sessions subscribed to by name', () => {
    const registry = new SessionRegistry({ implicitAll: false });
    for (const [name, subscribers] of [
      ['one', 1],
      ['three', 3],
      ['two', 2],
    ] as const)
      for (let i = 0; i < subscribers; i++) {
        const s = session();
        registry.set(s, true);
        registry.subscribe(s, name);
      }
    expect(registry.mostSubscribedNames(2)).toEqual(['three', 'two']);
  });

  it('sends at most MAX_STATS_REPOSITORIES', () => {
    const registry = new SessionRegistry();
    const committed = Array.from({ length: MAX_STATS_REPOSITORIES + 5 }, (_, i) => ({
      repository: `r${i}`,
      head: 1,
      events: 1,
    }));
    expect(gatewayRepositories(registry, new Map(), committed)).toHaveLength(MAX_STATS_REPOSITORIES);
  });
});
