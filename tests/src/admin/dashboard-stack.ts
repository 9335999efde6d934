import { inject } from 'vitest';
import { startStack, type TestStack } from '../stack.ts';

/** Stats every 200 ms instead of 2 s, so the dashboard catches up within a test. */
export const FAST_STATS = { STATS_INTERVAL_MS: '200' };

/** Two gateways with their ops ports, a sequencer and a persister, all reporting stats quickly. */
export function startDashboardStack(): Promise<TestStack> {
  return startStack({
    natsUrl: inject('natsUrl'),
    mongoUrl: inject('mongoUrl'),
    gateways: 2,
    gatewayEnv: { OPS_PORT: '0', ...FAST_STATS },
    serviceEnv: FAST_STATS,
  });
}

export function adminToken(stack: TestStack): Promise<string> {
  return stack.token('ops', { read: [], write: [] }, { roles: ['admin'] });
}
