import { ROLES_CLAIM, SYNC_CLAIM, type SyncClaim } from '@lfsync/contracts';
import { SignJWT } from 'jose';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

/** A token the test stacks' gateways accept (HS256 with TEST_JWT_SECRET); full access unless narrowed. */
export function signTestToken(
  subject: string,
  claim: Partial<SyncClaim> = {},
  options: { expiresInSec?: number; roles?: string[] } = {},
): Promise<string> {
  const full: SyncClaim = { read: claim.read ?? ['*'], write: claim.write ?? ['*'] };
  const roles = options.roles === undefined ? {} : { [ROLES_CLAIM]: options.roles };
  return new SignJWT({ [SYNC_CLAIM]: full, ...roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSec ?? 3600))
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}
