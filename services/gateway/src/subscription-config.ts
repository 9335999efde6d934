import { z } from 'zod';

/** Settings of subscriptions and presence (docs/protocol.md, "Limits"). */
export const subscriptionConfigShape = {
  /**
   * What a session that never subscribed receives: `all` (every repository its token may read, as
   * before subscriptions existed, for the Dart client) or `none` (nothing live until it subscribes).
   */
  IMPLICIT_SUBSCRIPTION: z.enum(['all', 'none']).default('all'),
  MAX_SUBSCRIPTIONS_PER_SESSION: z.coerce.number().int().positive().default(1_000),
  /**
   * How long the gateway keeps its NATS subscription to a repository's commits after the last session (or
   * push) needing it is gone: a client that reconnects, or a repository used on and off, costs no
   * subscribe and unsubscribe each time, and keeps its recent events in memory for the catch-up.
   */
  COMMIT_SUBSCRIPTION_LINGER_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** Members per repository, counted over every gateway (approximately: joins on two gateways may race). */
  PRESENCE_MAX_MEMBERS: z.coerce.number().int().positive().default(1_000),
  /** A session's presence joins and updates per second (also the burst). */
  PRESENCE_UPDATES_PER_SEC: z.coerce.number().positive().default(5),
  PRESENCE_META_MAX_BYTES: z.coerce.number().int().positive().default(1_024),
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().positive().default(5_000),
  /** A gateway not heard from for this long has its members removed everywhere (3 heartbeats by default). */
  PRESENCE_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** How long a gateway opening a repository's presence waits for the other gateways' members. */
  PRESENCE_QUERY_WAIT_MS: z.coerce.number().int().nonnegative().default(200),
};
