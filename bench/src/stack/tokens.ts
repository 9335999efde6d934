import { SYNC_CLAIM } from '@lfsync/contracts';
import { SignJWT } from 'jose';

/** The HS256 secret the bench stack's gateways verify with; tokens are signed by the generators themselves. */
export const BENCH_JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256!!';

export interface TokenScope {
  read: readonly string[];
  write: readonly string[];
}

export const FULL_ACCESS: TokenScope = { read: ['*'], write: ['*'] };

const key = new TextEncoder().encode(BENCH_JWT_SECRET);

export function signToken(
  subject: string,
  scope: TokenScope = FULL_ACCESS,
  expiresInSec = 3_600,
): Promise<string> {
  return new SignJWT({ [SYNC_CLAIM]: { read: [...scope.read], write: [...scope.write] } })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSec)
    .sign(key);
}

/** A Centrifugo connection token (HS256, claim `sub`), signed with that server's HMAC secret. */
export function signCentrifugoToken(subject: string, secret: string, expiresInSec = 3_600): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSec)
    .sign(new TextEncoder().encode(secret));
}
