import { commonConfigShape, envBoolean, envList, mongoConfigShape } from '@lfsync/runtime';
import { z } from 'zod';
import { compatConfigShape, refineCompatConfig } from './compat/compat-config.ts';
import { subscriptionConfigShape } from './subscription-config.ts';
import { compileTrustedProxies } from './http/client-address.ts';

export const gatewayConfigSchema = z
  .object({
    ...commonConfigShape,
    ...mongoConfigShape,
    ...compatConfigShape,
    ...subscriptionConfigShape,
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /**
     * `/metrics`, `/readyz` and `/healthz` on their own port, and no longer on PORT (which an Ingress
     * exposes). Unset: served on PORT, for development and `npm start`; the deploy files set it.
     */
    OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /**
     * Comma-separated addresses or CIDRs (or `loopback`, `linklocal`, `uniquelocal`) of the proxies in
     * front of the gateway: their `Forwarded` / `X-Forwarded-For` name the client the per-IP limit counts.
     */
    TRUSTED_PROXIES: envList
      .default([])
      .refine(validProxyList, 'TRUSTED_PROXIES: each entry must be an IP address or CIDR'),
    /** HS256 shared secret. Set this, JWT_PUBLIC_KEY (RS256 PEM) or JWT_JWKS_URL. */
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    JWT_PUBLIC_KEY: z.string().optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().optional(),
    JWT_AUDIENCE: z.string().optional(),
    /** Development only: `POST /auth/dev-token {username}` hands out tokens that may read and write everything. */
    DEV_AUTH: envBoolean.default(false),
    /** Comma-separated Origin values allowed to open a WebSocket; empty = any. */
    ALLOWED_ORIGINS: envList.default([]),
    /** Directory of a built web app to serve on `/`; empty = none. */
    STATIC_DIR: z.string().optional(),
    AUTH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    PING_INTERVAL_MS: z.coerce.number().int().positive().default(25_000),
    /**
     * `protocol`: WebSocket ping frames, answered by every WebSocket library by itself. `json`: a
     * `{"type":"ping"}` text frame, as the Dart server sends; a session that sends nothing back before the
     * next tick is closed.
     */
    HEARTBEAT: z.enum(['protocol', 'json']).default('protocol'),
    /**
     * `readers`: Nagle's algorithm on every connection except while a push of it waits for its ack, so frames
     * to a client that lags merge into few segments (see SessionSocket). `off`: each frame leaves at once.
     */
    TCP_NAGLE: z.enum(['off', 'readers']).default('off'),
    ACK_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    MAX_CONNECTIONS: z.coerce.number().int().positive().default(50_000),
    MAX_CONNECTIONS_PER_IP: z.coerce.number().int().positive().default(50_000),
    MAX_FRAME_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    MAX_BATCH_EVENTS: z.coerce.number().int().positive().default(500),
    MAX_DATA_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(64 * 1024),
    /** How deep an event's `_data` (or any other field) may nest; deeper events are refused with NESTING_TOO_DEEP. */
    MAX_DATA_DEPTH: z.coerce
      .number()
      .int()
      .min(1, 'MAX_DATA_DEPTH must be at least 1')
      // Stored events are serialised recursively (JSON.stringify); far below where that overflows the stack.
      .max(1_000, 'MAX_DATA_DEPTH must be at most 1000')
      .default(64),
    MAX_PENDING_ACKS: z.coerce.number().int().positive().default(5_000),
    RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(200),
    RATE_LIMIT_BURST: z.coerce.number().positive().default(400),
    MAX_OUTBOUND_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /** A session whose send buffer stays full this long (e.g. not reading during a catch-up) is dropped. */
    SLOW_CONSUMER_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Recent committed events kept in memory for catch-ups (all repositories together); 0 turns it off. */
    RECENT_EVENTS_CACHE_BYTES: z.coerce
      .number()
      .int()
      .nonnegative()
      .default(64 * 1024 * 1024),
    CATCHUP_PAGE_SIZE: z.coerce.number().int().positive().max(10_000).default(1_000),
    INVALID_FRAME_LIMIT: z.coerce.number().int().positive().default(20),
  })
  .superRefine(refineCompatConfig);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

function validProxyList(entries: string[]): boolean {
  try {
    compileTrustedProxies(entries);
    return true;
  } catch {
    return false;
  }
}
