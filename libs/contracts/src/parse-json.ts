import type { z } from 'zod';

/**
 * Validates a message whose JSON is decoded by `decode` (e.g. a NATS message's `json()`); a body that
 * is not JSON at all fails like one that does not match the schema.
 */
export function parseJsonWith<T extends z.ZodType>(
  schema: T,
  decode: () => unknown,
): ReturnType<T['safeParse']> {
  let json: unknown;
  try {
    json = decode();
  } catch {
    json = undefined;
  }
  return schema.safeParse(json) as ReturnType<T['safeParse']>;
}
