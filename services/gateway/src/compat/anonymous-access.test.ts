import { AppError } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/token-verifier.ts';
import { createAuthenticator } from './anonymous-access.ts';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';
const alice: Principal = {
  subject: 'alice',
  claim: { read: ['*'], write: [] },
  expiresAt: undefined,
  roles: [],
};
const verify = (token: string) =>
  token === jwt ? Promise.resolve(alice) : Promise.reject(new AppError('INVALID_TOKEN'));

describe('createAuthenticator', () => {
  it('verifies anything shaped like a JWT, compat mode or not (a bad token is still refused)', async () => {
    expect(await createAuthenticator(verify, [])(jwt)).toBe(alice);
    expect(await createAuthenticator(verify, ['user'])(` ${jwt} `)).toBe(alice);
    const forged = `${jwt.slice(0, -2)}xx`;
    await expect(createAuthenticator(verify, ['user'])(forged)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
  });

  it('admits a missing or placeholder token as anonymous with exactly the open repositories', async () => {
    const open = createAuthenticator(verify, ['user', 'counter_log']);
    for (const token of [undefined, 'test_token', '']) {
      expect(await open(token)).toEqual({
        subject: 'anonymous',
        claim: { read: ['user', 'counter_log'], write: ['user', 'counter_log'] },
        expiresAt: undefined,
        roles: [],
        anonymous: true,
      });
    }
  });

  it('without open repositories: no token is nobody, a placeholder is an invalid token', async () => {
    const closed = createAuthenticator(verify, []);
    expect(await closed(undefined)).toBeUndefined();
    await expect(closed('test_token')).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });
});
