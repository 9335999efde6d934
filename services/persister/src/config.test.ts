import { loadConfig } from '@lfsync/runtime';
import { describe, expect, it } from 'vitest';
import { persisterConfigSchema } from './config.ts';

describe('persister config: log retention', () => {
  it('keeps the whole log by default and takes a retention of at least a second', () => {
    expect(loadConfig(persisterConfigSchema, {})).toMatchObject({
      LOG_RETENTION_MS: 0,
      LOG_TRIM_INTERVAL_MS: 60_000,
    });
    expect(loadConfig(persisterConfigSchema, { LOG_RETENTION_MS: '86400000' }).LOG_RETENTION_MS).toBe(
      86_400_000,
    );
    expect(() => loadConfig(persisterConfigSchema, { LOG_RETENTION_MS: '500' })).toThrow(
      /LOG_RETENTION_MS: must be 0 \(keep the whole log\) or at least 1000/,
    );
  });
});

describe('persister config: database call timeout', () => {
  it('defaults to 10 s and refuses values below 100 ms or above 5 minutes', () => {
    expect(loadConfig(persisterConfigSchema, {}).STORE_TIMEOUT_MS).toBe(10_000);
    expect(loadConfig(persisterConfigSchema, { STORE_TIMEOUT_MS: '500' }).STORE_TIMEOUT_MS).toBe(500);
    expect(() => loadConfig(persisterConfigSchema, { STORE_TIMEOUT_MS: '50' })).toThrow(/STORE_TIMEOUT_MS/);
    expect(() => loadConfig(persisterConfigSchema, { STORE_TIMEOUT_MS: '600000' })).toThrow(
      /STORE_TIMEOUT_MS/,
    );
    expect(() => loadConfig(persisterConfigSchema, { STORE_TIMEOUT_MS: 'soon' })).toThrow(/STORE_TIMEOUT_MS/);
  });
});

describe('persister config: batch compaction', () => {
  it('is on by default, can be turned off, and refuses anything else', () => {
    expect(loadConfig(persisterConfigSchema, {}).BATCH_COMPACTION).toBe('on');
    expect(loadConfig(persisterConfigSchema, { BATCH_COMPACTION: 'off' }).BATCH_COMPACTION).toBe('off');
    expect(() => loadConfig(persisterConfigSchema, { BATCH_COMPACTION: 'yes' })).toThrow(/BATCH_COMPACTION/);
  });
});
