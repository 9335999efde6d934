import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseJsonWith } from './parse-json.ts';

describe('parseJsonWith', () => {
  const schema = z.object({ n: z.number() });

  it('validates what the decoder returns', () => {
    expect(parseJsonWith(schema, () => ({ n: 1 }))).toMatchObject({ success: true, data: { n: 1 } });
    expect(parseJsonWith(schema, () => ({ n: 'x' })).success).toBe(false);
  });

  it('fails, without throwing, when the body is not JSON', () => {
    expect(
      parseJsonWith(schema, () => {
        throw new SyntaxError('Unexpected token');
      }).success,
    ).toBe(false);
  });
});
