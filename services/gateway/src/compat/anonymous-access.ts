import type { SyncClaim } from '@lfsync/contracts';
import type { Principal, TokenVerifier } from '../auth/token-verifier.ts';

/** The subject of a session or request admitted without a token. */
const ANONYMOUS_SUBJECT = 'anonymous';

/** What an anonymous principal may do: exactly the `ANONYMOUS_REPOSITORIES`, read and write. */
function anonymousClaim(anonymousRepositories: readonly string[]): SyncClaim {
  return { read: [...anonymousRepositories], write: [...anonymousRepositories] };
}

/**
 * Who presents a token (or none): the principal, or undefined when there is no token and no anonymous
 * access (the caller answers with its own "not authenticated" error). Rejections are AppErrors.
 */
export type Authenticator = (token: string | undefined) => Promise<Principal | undefined>;

/** A JWT is three base64url segments; anything else cannot be a token of ours. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * A JWT is verified as always — an expired or forged token is still refused (a client must learn that it
 * has to refresh, not silently lose its rights). Without one — no token, or a placeholder such as the Dart
 * tests' `"test_token"` — the request is anonymous when `ANONYMOUS_REPOSITORIES` opens repositories.
 */
export function createAuthenticator(
  verify: TokenVerifier,
  anonymousRepositories: readonly string[],
): Authenticator {
  if (anonymousRepositories.length === 0) {
    return (token) => (token === undefined ? Promise.resolve(undefined) : verify(token));
  }
  const anonymous: Principal = {
    subject: ANONYMOUS_SUBJECT,
    claim: anonymousClaim(anonymousRepositories),
    expiresAt: undefined,
    roles: [],
    anonymous: true,
  };
  return (token) => {
    const trimmed = token?.trim();
    return trimmed !== undefined && JWT_SHAPE.test(trimmed) ? verify(trimmed) : Promise.resolve(anonymous);
  };
}
