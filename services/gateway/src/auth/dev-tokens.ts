import { ADMIN_ROLE, ROLES_CLAIM, SYNC_CLAIM, type SyncClaim } from '@lfsync/contracts';
import { SignJWT } from 'jose';

const DEV_TOKEN_TTL_SEC = 24 * 3600;
const EVERYTHING: SyncClaim = { read: ['*'], write: ['*'] };

/**
 * Development mode only: a token for a username that may read and write every repository and open the
 * admin dashboard.
 */
export async function issueDevToken(
  secret: string,
  username: string,
  options: { issuer?: string | undefined; audience?: string | undefined } = {},
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = Math.floor(Date.now() / 1000) + DEV_TOKEN_TTL_SEC;
  let jwt = new SignJWT({ [SYNC_CLAIM]: EVERYTHING, [ROLES_CLAIM]: [ADMIN_ROLE] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(username)
    .setIssuedAt()
    .setExpirationTime(expiresAt);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return { token: await jwt.sign(new TextEncoder().encode(secret)), expiresAt: expiresAt * 1000 };
}
