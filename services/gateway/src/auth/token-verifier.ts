import {
  AppError,
  ROLES_CLAIM,
  SYNC_CLAIM,
  resolveClaim,
  rolesClaimSchema,
  syncClaimSchema,
  toAppError,
  type SyncClaim,
} from '@lfsync/contracts';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';

export interface Principal {
  subject: string;
  /** With `{sub}` replaced by the subject; every entry is a valid pattern. */
  claim: SyncClaim;
  /** Epoch ms; undefined when the token does not expire. */
  expiresAt: number | undefined;
  /** The token's `roles` claim (`admin` opens the admin dashboard); empty when it has none. */
  roles: readonly string[];
  /** Admitted without a token (the compatibility mode's `ANONYMOUS_REPOSITORIES`). */
  anonymous?: true;
}

export interface TokenVerifierOptions {
  secret?: string | undefined;
  publicKeyPem?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

type KeySource =
  | { key: Uint8Array | Awaited<ReturnType<typeof importSPKI>>; algorithms: string[] }
  | { getKey: JWTVerifyGetKey; algorithms: string[] };

/**
 * Verifies JWTs with exactly one configured key source; the algorithm list is pinned to that source, so a
 * token cannot pick `none` or switch an RSA public key into an HMAC secret.
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const source = await keySource(options);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: source.algorithms,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  return async (token) => {
    try {
      const { payload } =
        'key' in source
          ? await jwtVerify(token, source.key, verifyOptions)
          : await jwtVerify(token, source.getKey, verifyOptions);
      if (typeof payload.sub !== 'string' || payload.sub === '')
        throw new AppError('INVALID_TOKEN', 'token has no subject');
      const claim = syncClaimSchema.safeParse(payload[SYNC_CLAIM] ?? {});
      if (!claim.success) throw new AppError('INVALID_TOKEN', `token claim "${SYNC_CLAIM}" is malformed`);
      const resolved = resolveClaim(claim.data, payload.sub);
      if (!resolved.ok)
        throw new AppError('INVALID_TOKEN', `invalid pattern in the token: ${resolved.message}`);
      const roles = rolesClaimSchema.safeParse(payload[ROLES_CLAIM]);
      if (!roles.success) throw new AppError('INVALID_TOKEN', `token claim "${ROLES_CLAIM}" is malformed`);
      return {
        subject: payload.sub,
        claim: resolved.claim,
        roles: roles.data,
        expiresAt: payload.exp === undefined ? undefined : payload.exp * 1000,
      };
    } catch (err) {
      throw verdictOf(err);
    }
  };
}

/** A jose error judges the token; anything else (the key set could not be fetched, a bug) does not. */
function verdictOf(err: unknown): AppError {
  if (err instanceof joseErrors.JWTExpired)
    return new AppError('TOKEN_EXPIRED', 'token expired', { cause: err });
  if (err instanceof joseErrors.JOSEError)
    return new AppError('INVALID_TOKEN', 'token rejected', { cause: err });
  return toAppError(err, 'token verification');
}

/** Errors of a remote key set that are about the token (its header names no usable key), not the fetch. */
const TOKEN_KEY_ERRORS = [
  joseErrors.JWKSNoMatchingKey,
  joseErrors.JWKSMultipleMatchingKeys,
  joseErrors.JOSENotSupported,
  joseErrors.JOSEAlgNotAllowed,
  joseErrors.JWSInvalid,
];

/**
 * The issuer's key set, fetched when needed: a fetch that fails or times out (or an answer that is no key
 * set) is `UNAVAILABLE`, so a client retries instead of taking its token for invalid.
 */
function remoteKeySet(url: URL): JWTVerifyGetKey {
  const keySet = createRemoteJWKSet(url);
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (err) {
      if (TOKEN_KEY_ERRORS.some((type) => err instanceof type)) throw err;
      throw new AppError('UNAVAILABLE', "the token issuer's key set could not be fetched", { cause: err });
    }
  };
}

async function keySource(options: TokenVerifierOptions): Promise<KeySource> {
  const configured = [options.secret, options.publicKeyPem, options.jwksUrl].filter((x) => x !== undefined);
  if (configured.length !== 1) {
    throw new Error('configure exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL');
  }
  if (options.secret !== undefined)
    return { key: new TextEncoder().encode(options.secret), algorithms: ['HS256'] };
  if (options.publicKeyPem !== undefined) {
    return { key: await importSPKI(options.publicKeyPem, 'RS256'), algorithms: ['RS256'] };
  }
  const url = options.jwksUrl as string;
  return { getKey: remoteKeySet(new URL(url)), algorithms: ['RS256', 'ES256'] };
}
