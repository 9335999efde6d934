import { describe, expect, it } from 'vitest';
import { MAX_STATS_REPOSITORIES, serviceStatsSchema } from './stats-messages.ts';

const base = { instance: 'gw-1', atMs: 1, intervalMs: 2_000 };

describe('serviceStatsSchema', () => {
  it('accepts the report of each service', () => {
    const reports = [
      {
        service: 'gateway',
        ...base,
        connections: 2,
        sessions: 1,
        implicitSessions: 0,
        repositories: [{ repository: 'doc', subscribers: 1, presence: 0, head: 3 }],
        rejections: { FORBIDDEN: 1 },
      },
      { service: 'sequencer', ...base, requestsInFlight: 0, queuedEvents: 0 },
      { service: 'persister', ...base, active: false, eventsStored: 0, repositories: [] },
    ];
    for (const report of reports) expect(serviceStatsSchema.safeParse(report).success).toBe(true);
  });

  it('refuses unknown services, negative counts, bad names and oversized lists', () => {
    const persister = { service: 'persister', ...base, active: true, eventsStored: 0 };
    const refused = [
      { service: 'cache', ...base },
      { service: 'sequencer', ...base, requestsInFlight: -1, queuedEvents: 0 },
      { ...persister, repositories: [{ repository: 'a b', head: 1, events: 1 }] },
      {
        ...persister,
        repositories: Array.from({ length: MAX_STATS_REPOSITORIES + 1 }, (_, i) => ({
          repository: `r${i}`,
          head: 1,
          events: 1,
        })),
      },
    ];
    for (const report of refused) expect(serviceStatsSchema.safeParse(report).success).toBe(false);
  });
});
