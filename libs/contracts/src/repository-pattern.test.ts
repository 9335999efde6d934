import { describe, expect, it } from 'vitest';
import { isRepositoryName } from './repository.ts';
import { parsePattern, patternCovers, patternMatches, patternProblem } from './repository-pattern.ts';

describe('repository names', () => {
  it('accept ":" and "/" after the first character, as the old names still are', () => {
    for (const name of ['counter_log', 'doc:42', 'team/42/notes', 'a-b', 'user/alice/todo'])
      expect(isRepositoryName(name), name).toBe(true);
    for (const name of ['/a', ':a', 'a.b', 'a*', 'a b', '$cmd', '_hidden', 'system.users', ''])
      expect(isRepositoryName(name), name).toBe(false);
  });
});

describe('patternProblem', () => {
  it('accepts names, "*" and a name prefix ending in "*"', () => {
    for (const p of ['*', 'counter_log', 'doc:*', 'team/42/*', 'a*', 'doc:42'])
      expect(patternProblem(p), p).toBeUndefined();
  });
  it('refuses a star inside, an empty prefix mark, bad characters and overlong patterns', () => {
    for (const p of ['', 'a*b', '**', '*a', 'doc.*', '/x*', 'a b*', 'x'.repeat(65), `${'x'.repeat(64)}*`])
      expect(patternProblem(p), p).toBeDefined();
  });
});

describe('patternMatches', () => {
  it('matches exact names, everything, and prefixes', () => {
    expect(patternMatches('counter_log', 'counter_log')).toBe(true);
    expect(patternMatches('counter_log', 'counter_log2')).toBe(false);
    expect(patternMatches('*', 'anything')).toBe(true);
    expect(patternMatches('doc:*', 'doc:1')).toBe(true);
    expect(patternMatches('doc:*', 'doc:')).toBe(true);
    expect(patternMatches('doc:*', 'doc')).toBe(false);
    expect(patternMatches('doc:*', 'docs:1')).toBe(false);
    expect(patternMatches('team/42/*', 'team/420/x')).toBe(false);
    expect(patternMatches('team/42/*', 'team/42/x')).toBe(true);
  });
});

describe('patternCovers', () => {
  it('tells whether every name of the inner pattern is named by the outer one', () => {
    expect(patternCovers('*', 'doc:*')).toBe(true);
    expect(patternCovers('doc:*', 'doc:1')).toBe(true);
    expect(patternCovers('doc:*', 'doc:a*')).toBe(true);
    expect(patternCovers('doc:*', 'do*')).toBe(false);
    expect(patternCovers('doc:*', '*')).toBe(false);
    expect(patternCovers('doc:1', 'doc:1')).toBe(true);
    expect(patternCovers('doc:1', 'doc:1*')).toBe(false);
    expect(patternCovers('doc:1', 'doc:2')).toBe(false);
  });
  it('parses the three kinds', () => {
    expect(parsePattern('*')).toEqual({ kind: 'all' });
    expect(parsePattern('a*')).toEqual({ kind: 'prefix', prefix: 'a' });
    expect(parsePattern('a')).toEqual({ kind: 'exact', name: 'a' });
  });
});
