import type { TokenProvider } from '@lfsync/client';
import { z } from 'zod';

const devTokenSchema = z.object({ token: z.string().min(1), expiresAt: z.number() });

/** Why no token could be had; the SDK reports it as `token_unavailable` and retries with backoff. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';
  readonly status: number | undefined;

  constructor(message: string, options: { readonly status?: number; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Development sign-in: `POST /auth/dev-token {username}` on the app's own origin (the gateway serves both),
 * called by the SDK on every connect. While the browser knows it is offline it fails at once instead of
 * sending a request that cannot succeed.
 */
export function devTokenProvider(
  username: string,
  fetchImpl: FetchLike,
  isOnline: () => boolean = () => true,
): TokenProvider {
  return async () => {
    if (!isOnline()) throw new TokenRequestError('the browser is offline');
    let response: Response;
    try {
      response = await fetchImpl('/auth/dev-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username }),
      });
    } catch (cause) {
      throw new TokenRequestError('the token request failed', { cause });
    }
    if (!response.ok)
      throw new TokenRequestError(`the token request was refused (${response.status})`, {
        status: response.status,
      });
    const parsed = devTokenSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new TokenRequestError('the token response is malformed', { status: response.status });
    return parsed.data.token;
  };
}
