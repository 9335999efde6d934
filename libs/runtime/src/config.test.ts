import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jetStreamConfigShape, loadConfig } from './config.ts';

const schema = z.object(jetStreamConfigShape);

describe('NATS_REPLICAS', () => {
  it('is 1 unless set, and takes 1 to 5', () => {
    expect(loadConfig(schema, {}).NATS_REPLICAS).toBe(1);
    expect(loadConfig(schema, { NATS_REPLICAS: '3' }).NATS_REPLICAS).toBe(3);
    expect(loadConfig(schema, { NATS_REPLICAS: '5' }).NATS_REPLICAS).toBe(5);
  });

  it.each(['0', '6', '2.5', 'three'])('refuses %s with a message naming the variable', (value) => {
    expect(() => loadConfig(schema, { NATS_REPLICAS: value })).toThrow(/NATS_REPLICAS/);
  });
});
