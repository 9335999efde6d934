import { pino } from 'pino';
import { FakeClock } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/token-verifier.ts';
import { createGatewayMetrics } from '../metrics.ts';
import type { PushService } from '../sync/push-service.ts';
import { SharedFrame } from './frames.ts';
import { SessionPush } from './session-push.ts';
import { recordedSocket } from './testing/recorded-socket.ts';

const writer: Principal = {
  subject: 'u',
  claim: { read: ['r'], write: ['r'] },
  expiresAt: undefined,
  roles: [],
};

describe('SessionPush', () => {
  it('writes the ack at once, in one write with the events frame held for it', async () => {
    const { socket, writes } = recordedSocket(new FakeClock());
    let commit: () => void = () => undefined;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    const push = {
      push: async () => {
        await committed;
        // The commit's events frame reaches this session before its ack is released.
        socket.send(new SharedFrame('{"type":"events"}'));
        return { acked: [{ eventId: 'e1', sequence: 1, duplicate: false }], rejected: [] };
      },
    } as unknown as PushService;
    const logger = pino({ level: 'silent' });
    const session = new SessionPush({
      socket,
      push,
      maxPendingAcks: 100,
      metrics: createGatewayMetrics(),
      logger,
    });
    const pushed = session.push(writer, 'r', [{ _event_id: 'e1' }]);
    commit();
    await pushed;
    // No tick or turn of the event loop has passed: the other sessions' frames come after this.
    expect(writes).toHaveLength(1);
    expect(writes[0]?.[0]).toBe('{"type":"events"}');
    expect(JSON.parse(writes[0]?.[1] ?? '{}')).toMatchObject({ type: 'ack', eventIds: ['e1'] });
  });
});
