import { ROLES_CLAIM, SYNC_CLAIM } from '@lfsync/contracts';
import { SignJWT } from 'jose';
import { UsageError } from './usage-error.ts';

export interface MintRequest {
  subject: string;
  read: string[];
  write: string[];
  /** The `roles` claim (`admin` opens the gateway's admin dashboard); left out when empty. */
  roles?: string[];
  expiresInSec: number;
}

const MIN_SECRET_LENGTH = 32;

/** An HS256 token the gateways accept when they share JWT_SECRET (and JWT_ISSUER / JWT_AUDIENCE, if set). */
export async function mintToken(
  request: MintRequest,
  env: NodeJS.ProcessEnv,
  nowMs = Date.now(),
): Promise<string> {
  const secret = env['JWT_SECRET'];
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) {
    throw new UsageError(
      `mint needs JWT_SECRET (at least ${MIN_SECRET_LENGTH} characters) in the environment`,
    );
  }
  const issuedAt = Math.floor(nowMs / 1000);
  const roles = request.roles ?? [];
  let jwt = new SignJWT({
    [SYNC_CLAIM]: { read: request.read, write: request.write },
    ...(roles.length === 0 ? {} : { [ROLES_CLAIM]: roles }),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(request.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + request.expiresInSec);
  if (env['JWT_ISSUER'] !== undefined) jwt = jwt.setIssuer(env['JWT_ISSUER']);
  if (env['JWT_AUDIENCE'] !== undefined) jwt = jwt.setAudience(env['JWT_AUDIENCE']);
  return jwt.sign(new TextEncoder().encode(secret));
}
