import { loadConfig } from '@lfsync/runtime';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_EVENT_INDEX_TTL_MS } from './embedded.ts';
import { embeddedStorageSchema } from './local.ts';

describe('embedded storage config', () => {
  it('bounds the event-id index to a week by default; 0 keeps every id', () => {
    expect(loadConfig(embeddedStorageSchema, {}).EVENT_INDEX_TTL_MS).toBe(EMBEDDED_EVENT_INDEX_TTL_MS);
    expect(EMBEDDED_EVENT_INDEX_TTL_MS).toBe(604_800_000);
    expect(loadConfig(embeddedStorageSchema, { EVENT_INDEX_TTL_MS: '0' }).EVENT_INDEX_TTL_MS).toBe(0);
  });

  it('refuses an EVENT_INDEX_TTL_MS the sequencer refuses, with the same message', () => {
    for (const value of ['1000', '-1'])
      expect(() => loadConfig(embeddedStorageSchema, { EVENT_INDEX_TTL_MS: value })).toThrow(
        /EVENT_INDEX_TTL_MS: must be 0 \(keep forever\) or at least 4000 ms/,
      );
    expect(() => loadConfig(embeddedStorageSchema, { EVENT_INDEX_TTL_MS: 'soon' })).toThrow(
      /EVENT_INDEX_TTL_MS/,
    );
  });
});
