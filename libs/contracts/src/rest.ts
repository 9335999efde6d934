import { z } from 'zod';

export const restBatchBodySchema = z.object({ events: z.array(z.unknown()) });
export const restEventsQuerySchema = z.object({
  seq: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().optional(),
});
export interface RestError {
  error: string;
  statusCode: number;
  code: string;
  /** Present for retryable codes; also sent as `Retry-After` (seconds). */
  retryAfterMs?: number;
}
