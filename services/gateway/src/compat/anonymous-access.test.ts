import { describe, expect, it } from 'vitest';
import { anonymousClaim, credentialDecision } from './anonymous-access.ts';

describe('anonymous access', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

  it('verifies anything shaped like a JWT, compat mode or not (an expired token is still refused)', () => {
    expect(credentialDecision(jwt, [])).toBe('verify');
    expect(credentialDecision(` ${jwt} `, ['user'])).toBe('verify');
  });

  it('admits a missing or placeholder token as anonymous only when repositories are open', () => {
    expect(credentialDecision(undefined, ['user'])).toBe('anonymous');
    expect(credentialDecision('test_token', ['user'])).toBe('anonymous');
    expect(credentialDecision('', ['user'])).toBe('anonymous');
    expect(credentialDecision(undefined, [])).toBe('refuse');
    expect(credentialDecision('test_token', [])).toBe('refuse');
  });

  it('gives the anonymous principal exactly the open repositories', () => {
    expect(anonymousClaim(['user', 'counter_log'])).toEqual({
      read: ['user', 'counter_log'],
      write: ['user', 'counter_log'],
    });
  });
});
