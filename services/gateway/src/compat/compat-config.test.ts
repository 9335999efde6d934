import { describe, expect, it } from 'vitest';
import { compatConfigSchema, compatStartupWarnings, matchesRepository } from './compat-config.ts';

describe('compat config', () => {
  it('is off by default', () => {
    const config = compatConfigSchema.parse({});
    expect(config).toEqual({
      ANONYMOUS_REPOSITORIES: [],
      REST_LIST_VIEW: 'log',
      REST_NEWEST_FIRST_REPOSITORIES: ['counter_log'],
      EVENT_VALIDATION: 'strict',
      PRODUCTION: false,
    });
    expect(compatStartupWarnings(config)).toEqual([]);
  });

  it('parses the lists and warns at start-up when repositories are open', () => {
    const config = compatConfigSchema.parse({
      ANONYMOUS_REPOSITORIES: ' user, counter_log ,session_counter,',
      REST_LIST_VIEW: 'dart',
      EVENT_VALIDATION: 'loose',
    });
    expect(config.ANONYMOUS_REPOSITORIES).toEqual(['user', 'counter_log', 'session_counter']);
    const warnings = compatStartupWarnings(config);
    expect(warnings.map((w) => w.data)).toEqual([
      { repositories: ['user', 'counter_log', 'session_counter'] },
      {},
    ]);
    expect(warnings[0]?.message).toMatch(/without a token/);
    expect(warnings[1]?.message).toMatch(/EVENT_VALIDATION=loose/);
  });

  it('refuses anonymous repositories when PRODUCTION=true', () => {
    const result = compatConfigSchema.safeParse({ ANONYMOUS_REPOSITORIES: 'user', PRODUCTION: 'true' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/refused when PRODUCTION=true/);
    expect(compatConfigSchema.safeParse({ PRODUCTION: 'true' }).success).toBe(true);
  });

  it('refuses names that are not repository names', () => {
    expect(compatConfigSchema.safeParse({ ANONYMOUS_REPOSITORIES: 'user,$bad' }).success).toBe(false);
    expect(compatConfigSchema.safeParse({ ANONYMOUS_REPOSITORIES: 'test_*' }).success).toBe(false);
    expect(compatConfigSchema.safeParse({ REST_LIST_VIEW: 'latest' }).success).toBe(false);
  });

  it('matches names exactly, and * matches everything', () => {
    expect(matchesRepository(['user'], 'user')).toBe(true);
    expect(matchesRepository(['user'], 'users')).toBe(false);
    expect(matchesRepository(['*'], 'anything')).toBe(true);
    expect(matchesRepository([], 'user')).toBe(false);
  });
});
