import type { SyncClaim } from '@lfsync/contracts';

/** The subject of a session or request admitted without a token. */
export const ANONYMOUS_SUBJECT = 'anonymous';

/** What an anonymous principal may do: exactly the `ANONYMOUS_REPOSITORIES`, read and write. */
export function anonymousClaim(anonymousRepositories: readonly string[]): SyncClaim {
  return { read: [...anonymousRepositories], write: [...anonymousRepositories] };
}

/** A JWT is three base64url segments; anything else cannot be a token of ours. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type CredentialDecision = 'verify' | 'anonymous' | 'refuse';

/**
 * How a request or an `auth` frame is treated. With a JWT: verified as always — an expired or forged
 * token is still refused (a client must learn that it has to refresh, not silently lose its rights).
 * Without one — no token, or a placeholder such as the Dart tests' `"test_token"` — it becomes the
 * anonymous principal when the compatibility mode is on, and is refused otherwise.
 */
export function credentialDecision(
  token: string | undefined,
  anonymousRepositories: readonly string[],
): CredentialDecision {
  const trimmed = token?.trim();
  if (trimmed !== undefined && JWT_SHAPE.test(trimmed)) return 'verify';
  return anonymousRepositories.length > 0 ? 'anonymous' : 'refuse';
}
