import { describe, expect, it } from 'vitest';
import { claimAllows, claimCovers, resolveClaim } from './auth-claims.ts';

describe('resolveClaim', () => {
  it('puts the subject in place of {sub}', () => {
    const resolved = resolveClaim({ read: ['user/{sub}/*', 'shared'], write: ['user/{sub}/inbox'] }, 'alice');
    expect(resolved).toEqual({
      ok: true,
      claim: { read: ['user/alice/*', 'shared'], write: ['user/alice/inbox'] },
    });
  });
  it('refuses an invalid pattern, naming the entry', () => {
    const resolved = resolveClaim({ read: ['a*b'], write: [] }, 'alice');
    expect(resolved.ok).toBe(false);
    expect(!resolved.ok && resolved.message).toContain('sync.read entry "a*b"');
  });
  it('refuses a subject that cannot stand in a repository name', () => {
    const resolved = resolveClaim({ read: [], write: ['user/{sub}/*'] }, 'alice@example.com');
    expect(resolved.ok).toBe(false);
    expect(!resolved.ok && resolved.message).toContain('with the subject "alice@example.com"');
  });
});

describe('claimAllows and claimCovers', () => {
  const claim = ['user/alice/*', 'counter_log', 'team/42/*'];
  it('grant a repository named by any pattern of the claim', () => {
    expect(claimAllows(claim, 'user/alice/todo')).toBe(true);
    expect(claimAllows(claim, 'user/bob/todo')).toBe(false);
    expect(claimAllows(claim, 'counter_log')).toBe(true);
    expect(claimAllows([], 'counter_log')).toBe(false);
    expect(claimAllows(['*'], 'x')).toBe(true);
  });
  it('grant a pattern only when one claim pattern covers all of it', () => {
    expect(claimCovers(claim, 'team/42/*')).toBe(true);
    expect(claimCovers(claim, 'team/*')).toBe(false);
    expect(claimCovers(claim, '*')).toBe(false);
    expect(claimCovers(['*'], '*')).toBe(true);
  });
});
