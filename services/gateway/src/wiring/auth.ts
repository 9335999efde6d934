import { randomUUID } from 'node:crypto';
import { issueDevToken } from '../auth/dev-tokens.ts';
import { createTokenVerifier, type TokenVerifier } from '../auth/token-verifier.ts';
import { createAuthenticator, type Authenticator } from '../compat/anonymous-access.ts';
import type { GatewayConfig } from '../config.ts';

export interface GatewayAuth {
  /** Tokens of requests and auth frames, with anonymous access where the compatibility mode opens it. */
  authenticate: Authenticator;
  /** Tokens only, never anonymous: for the admin dashboard. */
  verify: TokenVerifier;
  /** Development tokens (DEV_AUTH), signed with the configured or a random secret. */
  devToken: ((username: string) => Promise<{ token: string; expiresAt: number }>) | undefined;
}

/** Token verification from the configured key source; DEV_AUTH without any key gets a random secret. */
export async function createAuth(config: GatewayConfig): Promise<GatewayAuth> {
  const noKeyConfigured =
    config.JWT_SECRET === undefined &&
    config.JWT_PUBLIC_KEY === undefined &&
    config.JWT_JWKS_URL === undefined;
  const devSecret = config.DEV_AUTH && noKeyConfigured ? randomUUID() + randomUUID() : undefined;
  const secret = config.JWT_SECRET ?? devSecret;
  const verify = await createTokenVerifier({
    secret,
    publicKeyPem: config.JWT_PUBLIC_KEY,
    jwksUrl: config.JWT_JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  if (config.DEV_AUTH && secret === undefined)
    throw new Error('DEV_AUTH needs JWT_SECRET (or no key configured at all)');
  const claims = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  return {
    authenticate: createAuthenticator(verify, config.ANONYMOUS_REPOSITORIES),
    verify,
    devToken:
      config.DEV_AUTH && secret !== undefined
        ? (username) => issueDevToken(secret, username, claims)
        : undefined,
  };
}
