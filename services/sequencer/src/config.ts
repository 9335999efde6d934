import { DEFAULT_DUPLICATE_WINDOW_MS } from '@lfsync/contracts';
import { commonConfigShape, jetStreamConfigShape, mongoConfigShape } from '@lfsync/runtime';
import { z } from 'zod';

/** Below this the margin kept against clock skew leaves the window no room. */
const MIN_EVENT_INDEX_TTL_MS = 4_000;

/**
 * EVENT_INDEX_TTL_MS: how long an event id stays in the index (0 = forever); older ids are looked up in the
 * store, so re-pushes keep their sequence any time later. The embedded mode reads it the same way.
 */
export const eventIndexTtlMsSchema = z.coerce
  .number()
  .int()
  .refine(
    (ms) => ms === 0 || ms >= MIN_EVENT_INDEX_TTL_MS,
    `must be 0 (keep forever) or at least ${MIN_EVENT_INDEX_TTL_MS} ms`,
  );

export const sequencerConfigSchema = z
  .object({
    ...commonConfigShape,
    ...jetStreamConfigShape,
    ...mongoConfigShape,
    /** Read only (heads, event ids): needed when EVENT_INDEX_TTL_MS bounds the index. */
    MONGO_URL: z.string().optional(),
    OPS_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    /** JetStream's Nats-Msg-Id window; the event-id index covers everything older. */
    DUPLICATE_WINDOW_MS: z.coerce.number().int().positive().default(DEFAULT_DUPLICATE_WINDOW_MS),
    /** Upper bound of one log append (several pushes to one repository are appended together). */
    MAX_APPEND_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(512 * 1024),
    /**
     * The log stream's size limit (0 = none): past it appends are refused with a retryable UNAVAILABLE and
     * `sequencer_log_full_refusals_total` counts them, instead of the NATS volume filling up.
     */
    LOG_MAX_BYTES: z.coerce.number().int().min(0).default(0),
    /** How long an event id stays in the KV index; older ones are looked up in MongoDB. */
    EVENT_INDEX_TTL_MS: eventIndexTtlMsSchema.default(0),
  })
  .superRefine((config, ctx) => {
    if (config.EVENT_INDEX_TTL_MS === 0) return;
    if (config.MONGO_URL === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['MONGO_URL'],
        message: 'required when EVENT_INDEX_TTL_MS is set',
      });
  });
export type SequencerConfig = z.infer<typeof sequencerConfigSchema>;
