import { loadConfig } from '@lfsync/runtime';
import { describe, expect, it } from 'vitest';
import { sequencerConfigSchema } from './config.ts';

describe('sequencer config: storage lifecycle', () => {
  it('keeps every id and has no log limit by default, without MongoDB', () => {
    const config = loadConfig(sequencerConfigSchema, {});
    expect(config).toMatchObject({ EVENT_INDEX_TTL_MS: 0, LOG_MAX_BYTES: 0 });
    expect(config.MONGO_URL).toBeUndefined();
  });

  it('refuses a bounded index without MONGO_URL, and a window too short to keep a margin', () => {
    expect(() => loadConfig(sequencerConfigSchema, { EVENT_INDEX_TTL_MS: '60000' })).toThrow(
      /MONGO_URL: required when EVENT_INDEX_TTL_MS is set/,
    );
    expect(() =>
      loadConfig(sequencerConfigSchema, { EVENT_INDEX_TTL_MS: '1000', MONGO_URL: 'mongodb://db' }),
    ).toThrow(/EVENT_INDEX_TTL_MS: must be 0 \(keep forever\) or at least 4000 ms/);
    expect(() => loadConfig(sequencerConfigSchema, { LOG_MAX_BYTES: '-1' })).toThrow(/LOG_MAX_BYTES/);
  });
});
