import { describe, expect, it } from 'vitest';
import { serverAtLeast } from './nats.ts';

describe('serverAtLeast', () => {
  it('compares major and minor versions', () => {
    expect(serverAtLeast('2.12.4', 2, 11)).toBe(true);
    expect(serverAtLeast('2.11.0', 2, 11)).toBe(true);
    expect(serverAtLeast('3.0.0', 2, 12)).toBe(true);
    expect(serverAtLeast('2.11.9', 2, 12)).toBe(false);
    expect(serverAtLeast('2.9.10', 2, 11)).toBe(false);
    expect(serverAtLeast(undefined, 2, 11)).toBe(false);
  });
});
