import { AppError } from '@lfsync/contracts';
import { FakeClock } from '@lfsync/testkit';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/token-verifier.ts';
import { SessionAuth } from './session-auth.ts';
import type { SessionSocket } from './session-socket.ts';

function fakeSocket() {
  const errors: Array<{ code: string; closed: boolean }> = [];
  const sent: string[] = [];
  const socket = {
    send: (frame: string) => sent.push(frame) > 0,
    sendError: (error: AppError) => errors.push({ code: error.code, closed: false }),
    closeWithError: (error: AppError) => errors.push({ code: error.code, closed: true }),
  } as unknown as SessionSocket;
  return { socket, errors, sent };
}

function setUp(verify: (token: string) => Promise<Principal>) {
  const authenticate = (token: string | undefined) =>
    token === undefined ? Promise.resolve(undefined) : verify(token);
  const clock = new FakeClock();
  const { socket, errors, sent } = fakeSocket();
  const principals: Array<Principal | undefined> = [];
  const auth = new SessionAuth({
    sessionId: 's1',
    socket,
    authenticate,
    clock,
    authTimeoutMs: 1_000,
    logger: pino({ level: 'silent' }),
    onPrincipal: (principal) => principals.push(principal),
  });
  return { clock, auth, errors, sent, principals };
}

const principal = (expiresAt: number | undefined): Principal => ({
  subject: 'alice',
  claim: { read: ['*'], write: ['*'] },
  expiresAt,
  roles: [],
});

describe('SessionAuth', () => {
  it('closes a session that does not authenticate in time, and only then', async () => {
    const { clock, errors } = setUp(() => Promise.reject(new Error('unused')));
    await clock.advance(999);
    expect(errors).toEqual([]);
    await clock.advance(1);
    expect(errors).toEqual([{ code: 'AUTH_TIMEOUT', closed: true }]);
  });

  it('ends authentication when the token expires, tells the client, and waits for a fresh auth', async () => {
    const clock0 = new FakeClock().now();
    const { clock, auth, errors, sent, principals } = setUp(() => Promise.resolve(principal(clock0 + 5_000)));
    await auth.authenticate({ type: 'auth', token: 't' });
    expect(JSON.parse(sent[0] ?? '{}')).toMatchObject({ type: 'auth_success', sessionId: 's1' });
    await clock.advance(4_999);
    expect(auth.principal).toBeDefined();
    await clock.advance(1);
    expect([auth.principal, principals.at(-1)]).toEqual([undefined, undefined]);
    expect(errors).toEqual([{ code: 'TOKEN_EXPIRED', closed: false }]);
    await clock.advance(1_000);
    expect(errors.at(-1)).toEqual({ code: 'AUTH_TIMEOUT', closed: true });
  });

  it('closes with the verdict of the verifier: an unreachable key set is UNAVAILABLE, not an invalid token', async () => {
    const outage = new AppError('UNAVAILABLE', 'key set unreachable', { cause: new Error('ECONNREFUSED') });
    const { auth, errors } = setUp(() => Promise.reject(outage));
    await auth.authenticate({ type: 'auth', token: 't' });
    expect(errors).toEqual([{ code: 'UNAVAILABLE', closed: true }]);
  });
});
