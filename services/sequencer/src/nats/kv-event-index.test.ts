import { describe, expect, it } from 'vitest';
import { supportsBatchDirectGet } from './kv-event-index.ts';

describe('supportsBatchDirectGet', () => {
  it('is true from nats-server 2.11 on', () => {
    expect(supportsBatchDirectGet('2.12.4')).toBe(true);
    expect(supportsBatchDirectGet('2.11.0')).toBe(true);
    expect(supportsBatchDirectGet('3.0.0')).toBe(true);
    expect(supportsBatchDirectGet('2.10.22')).toBe(false);
    expect(supportsBatchDirectGet('2.9.10')).toBe(false);
    expect(supportsBatchDirectGet(undefined)).toBe(false);
  });
});
