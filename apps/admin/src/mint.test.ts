import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken } from './mint.ts';

const SECRET = 'a-secret-that-is-long-enough-for-hs256!!';

describe('mintToken', () => {
  it('signs the subject, the sync claim and the lifetime', async () => {
    const token = await mintToken(
      { subject: 'alice', read: ['*'], write: ['counter_log'], expiresInSec: 60 },
      { JWT_SECRET: SECRET, JWT_ISSUER: 'iss' },
      1_000_000,
    );
    expect(decodeJwt(token)).toEqual({
      sub: 'alice',
      sync: { read: ['*'], write: ['counter_log'] },
      iat: 1000,
      exp: 1060,
      iss: 'iss',
    });
  });

  it('adds the roles claim only when roles are given', async () => {
    const env = { JWT_SECRET: SECRET };
    const request = { subject: 'ops', read: [], write: [], expiresInSec: 60 };
    expect(decodeJwt(await mintToken({ ...request, roles: ['admin'] }, env))['roles']).toEqual(['admin']);
    expect(decodeJwt(await mintToken(request, env))).not.toHaveProperty('roles');
  });

  it('refuses without a usable JWT_SECRET', async () => {
    const request = { subject: 'a', read: [], write: [], expiresInSec: 1 };
    await expect(mintToken(request, {})).rejects.toThrow(/needs JWT_SECRET/);
    await expect(mintToken(request, { JWT_SECRET: 'short' })).rejects.toThrow(/at least 32/);
  });
});
