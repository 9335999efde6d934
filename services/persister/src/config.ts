import { commonConfigShape, jetStreamConfigShape, mongoConfigShape } from '@lfsync/runtime';
import { z } from 'zod';

export const persisterConfigSchema = z.object({
  ...commonConfigShape,
  ...jetStreamConfigShape,
  ...mongoConfigShape,
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** `majority` on a real replica set; `1` where there is a single node without replication (FerretDB). */
  MONGO_WRITE_CONCERN: z.enum(['majority', '1']).default('majority'),
  /** Log messages fetched and written to MongoDB together. */
  BATCH_SIZE: z.coerce.number().int().positive().max(10_000).default(256),
  /**
   * Groups written to MongoDB at once (heads are still raised one group after the other). Raise it for a
   * MongoDB far away (network and replication latency per write); on one shared machine 1 is fastest.
   */
  WRITES_IN_FLIGHT: z.coerce.number().int().positive().max(16).default(1),
  /**
   * Of several replicas, the one holding a lease consumes the log; the others take over this long after
   * it stops renewing (at once when it stops cleanly).
   */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(60_000).default(3_000),
  /**
   * A log message is removed once stored in MongoDB and older than this (never less than the sequencer's
   * DUPLICATE_WINDOW_MS); each repository's last message stays. 0 keeps the whole log.
   */
  LOG_RETENTION_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || ms >= 1_000, 'must be 0 (keep the whole log) or at least 1000')
    .default(0),
  /**
   * A database call not answered within this counts as failed: logged, counted
   * (`persister_db_timeouts_total`) and retried with backoff; nothing is acknowledged before it is stored.
   */
  STORE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  /**
   * Merge committed batch documents into chunks of 1,000 events in the background, so a catch-up reads one
   * document per thousand events (docs/architecture.md, "Chunks"). Costs the write path some CPU; `off`
   * keeps the batches as written (chunks already merged stay readable).
   */
  BATCH_COMPACTION: z.enum(['on', 'off']).default('on'),
  /** How often the log is trimmed (and the stored log position saved, for restores). */
  LOG_TRIM_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
});
export type PersisterConfig = z.infer<typeof persisterConfigSchema>;
