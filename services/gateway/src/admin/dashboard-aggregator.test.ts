import type { GatewayStats, PersisterStats, SequencerStats } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { DashboardAggregator } from './dashboard-aggregator.ts';

const INTERVAL = 2_000;

function gateway(instance: string, overrides: Partial<GatewayStats> = {}): GatewayStats {
  return {
    service: 'gateway',
    instance,
    atMs: 0,
    intervalMs: INTERVAL,
    connections: 0,
    sessions: 0,
    implicitSessions: 0,
    repositories: [],
    rejections: {},
    ...overrides,
  };
}

function persister(instance: string, overrides: Partial<PersisterStats> = {}): PersisterStats {
  return {
    service: 'persister',
    instance,
    atMs: 0,
    intervalMs: INTERVAL,
    active: true,
    eventsStored: 0,
    repositories: [],
    ...overrides,
  };
}

function sequencer(instance: string, requestsInFlight: number, queuedEvents: number): SequencerStats {
  return { service: 'sequencer', instance, atMs: 0, intervalMs: INTERVAL, requestsInFlight, queuedEvents };
}

describe('DashboardAggregator', () => {
  it('lists each gateway and sums their sessions; a gateway that stops reporting leaves', () => {
    const dashboard = new DashboardAggregator();
    dashboard.receive(gateway('a', { sessions: 3, connections: 4, implicitSessions: 1 }), 0);
    dashboard.receive(gateway('b', { sessions: 2, connections: 2 }), 1_000);
    expect(dashboard.view(1_500)).toMatchObject({
      totals: { gateways: 2, sessions: 5, connections: 6 },
      gateways: [
        { instance: 'a', sessions: 3, connections: 4, implicitSessions: 1, ageMs: 1_500 },
        { instance: 'b', sessions: 2, ageMs: 500 },
      ],
    });
    // The latest report replaces the earlier one.
    dashboard.receive(gateway('a', { sessions: 1, connections: 1 }), 2_000);
    expect(dashboard.view(2_000).totals).toEqual({ gateways: 2, sessions: 3, connections: 3 });
    // b last reported at 1 s; three intervals later without a report it is gone.
    expect(dashboard.view(7_001).gateways.map((g) => g.instance)).toEqual(['a']);
  });

  it('gives repositories their head, event rate, subscribers and presence over every gateway', () => {
    const dashboard = new DashboardAggregator();
    dashboard.receive(
      gateway('a', { repositories: [{ repository: 'doc', subscribers: 2, presence: 1, head: 7 }] }),
      0,
    );
    dashboard.receive(
      gateway('b', { repositories: [{ repository: 'doc', subscribers: 3, presence: 2 }] }),
      0,
    );
    dashboard.receive(
      persister('p', {
        repositories: [
          { repository: 'doc', head: 12, events: 10 },
          { repository: 'log', head: 40, events: 40 },
        ],
      }),
      0,
    );
    expect(dashboard.view(100).repositories).toEqual([
      { repository: 'log', head: 40, eventsPerSec: 20, subscribers: 0, presence: 0 },
      { repository: 'doc', head: 12, eventsPerSec: 5, subscribers: 5, presence: 3 },
    ]);
    // A head never goes back (a late report of a gateway that saw an older commit).
    dashboard.receive(
      gateway('a', { repositories: [{ repository: 'doc', subscribers: 2, presence: 1, head: 9 }] }),
      200,
    );
    expect(dashboard.view(300).repositories.find((r) => r.repository === 'doc')?.head).toBe(12);
    // No commit reported for two intervals: the rate is 0 again, the head stays.
    expect(dashboard.view(4_001).repositories).toContainEqual(
      expect.objectContaining({ repository: 'log', head: 40, eventsPerSec: 0 }),
    );
  });

  it('shows a repository known only from its subscribers with no head yet', () => {
    const dashboard = new DashboardAggregator();
    dashboard.receive(
      gateway('a', { repositories: [{ repository: 'quiet', subscribers: 1, presence: 0 }] }),
      0,
    );
    expect(dashboard.view(0).repositories).toEqual([
      { repository: 'quiet', head: null, eventsPerSec: 0, subscribers: 1, presence: 0 },
    ]);
  });

  it("takes the persister lag from the active persister and sums the sequencers' queues", () => {
    const dashboard = new DashboardAggregator();
    expect(dashboard.view(0)).toMatchObject({
      persisterLag: null,
      sequencerQueue: { requestsInFlight: 0, queuedEvents: 0 },
    });
    dashboard.receive(persister('standby', { active: false }), 0);
    dashboard.receive(persister('leader', { pending: 30, ackPending: 12, eventsStored: 900 }), 0);
    dashboard.receive(sequencer('s1', 2, 40), 0);
    dashboard.receive(sequencer('s2', 1, 5), 0);
    const view = dashboard.view(10);
    expect(view.persisterLag).toBe(42);
    expect(view.persisters.map((p) => [p.instance, p.active, p.pending])).toEqual([
      ['leader', true, 30],
      ['standby', false, null],
    ]);
    expect(view.sequencerQueue).toEqual({ requestsInFlight: 3, queuedEvents: 45 });
  });

  it('counts rejections by code: those of the window and the totals, over every gateway', () => {
    const dashboard = new DashboardAggregator(10_000);
    dashboard.receive(gateway('a', { rejections: { FORBIDDEN: 5 } }), 0);
    dashboard.receive(gateway('b', { rejections: {} }), 0);
    dashboard.receive(gateway('a', { rejections: { FORBIDDEN: 7, RATE_LIMITED: 1 } }), 2_000);
    dashboard.receive(gateway('b', { rejections: { FORBIDDEN: 4 } }), 2_000);
    expect(dashboard.view(2_000).rejections).toEqual([
      { code: 'FORBIDDEN', recent: 6, total: 11 },
      { code: 'RATE_LIMITED', recent: 1, total: 1 },
    ]);
    // Reports every 2 s with no new rejections: once the window has passed, nothing is recent.
    for (let at = 4_000; at <= 14_000; at += 2_000) {
      dashboard.receive(gateway('a', { rejections: { FORBIDDEN: 7, RATE_LIMITED: 1 } }), at);
      dashboard.receive(gateway('b', { rejections: { FORBIDDEN: 4 } }), at);
    }
    expect(dashboard.view(14_000).rejections).toEqual([
      { code: 'FORBIDDEN', recent: 0, total: 11 },
      { code: 'RATE_LIMITED', recent: 0, total: 1 },
    ]);
    expect(dashboard.view(14_000).rejectionWindowMs).toBe(10_000);
  });
});
