import { DEFAULT_DUPLICATE_WINDOW_MS } from '@lfsync/contracts';
import { commonConfigShape, jetStreamConfigShape } from '@lfsync/runtime';
import { z } from 'zod';

export const sequencerConfigSchema = z.object({
  ...commonConfigShape,
  ...jetStreamConfigShape,
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** JetStream's Nats-Msg-Id window; the event-id index covers everything older. */
  DUPLICATE_WINDOW_MS: z.coerce.number().int().positive().default(DEFAULT_DUPLICATE_WINDOW_MS),
  /** Upper bound of one log append (several pushes to one repository are appended together). */
  MAX_APPEND_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024),
});
export type SequencerConfig = z.infer<typeof sequencerConfigSchema>;
