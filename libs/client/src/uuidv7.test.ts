import { describe, expect, it } from 'vitest';
import { createUuidV7Generator } from './uuidv7.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createUuidV7Generator', () => {
  it('makes RFC 9562 version-7 ids whose first 48 bits are the time in ms', () => {
    const ms = Date.UTC(2025, 5, 1, 12, 0, 0, 123);
    const id = createUuidV7Generator(() => ms)();
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });

  it('is strictly increasing within one millisecond and when the clock steps back', () => {
    let ms = 1_700_000_000_000;
    const next = createUuidV7Generator(() => ms);
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i === 5_000) ms -= 10_000;
      ids.push(next());
    }
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
