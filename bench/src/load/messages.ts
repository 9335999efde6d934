import type { HistogramSnapshot } from '../stats/histogram.ts';
import type { TokenScope } from '../stack/tokens.ts';

/**
 * What the bench process asks a generator process to do (over the child-process IPC channel), and what it
 * answers. Times are CLOCK_MONOTONIC microseconds (`process.hrtime`), which every process on the machine
 * shares, so a timestamp taken in one generator can be compared with a clock reading in another.
 */

export type Protocol = 'lfs' | 'centrifugo';

export interface Endpoint {
  /** WebSocket URL. */
  url: string;
  /** Source address for the TCP connection (127.0.0.x), to get more than one ephemeral port range. */
  localAddress?: string;
}

export interface IngestParams {
  /** One entry per client: where it connects and the repository it pushes to. */
  clients: Array<{ endpoint: Endpoint; repository: string; subject: string; scope: TokenScope }>;
  batchSize: number;
  payloadBytes: number;
  /** `closed`: one outstanding batch per client; `open`: batches at a fixed rate whatever the acks. */
  mode: 'closed' | 'open';
  /** Open loop only: batches per second per client. */
  batchesPerSecond?: number;
  /** All generators start pushing at this monotonic time, so their windows line up. */
  startAtUs: number;
  warmupMs: number;
  durationMs: number;
  /** After the window: how long to wait for the outstanding acks before giving up on them. */
  drainMs: number;
}

export interface IngestResult {
  /** Events acked whose ack arrived inside the window. */
  ackedEvents: number;
  ackedBatches: number;
  /** Push (open loop: scheduled send time) → ack, for batches acked inside the window. */
  latency: HistogramSnapshot;
  errors: Record<string, number>;
  /** Batches still unacked when the drain ended. */
  unacked: number;
  /** Open loop only: how far behind schedule the sender fell (ms), a sign of a saturated generator. */
  maxSendLagMs: number;
  windowUs: [number, number];
}

export interface SubscribeParams {
  group: string;
  protocol: Protocol;
  sessions: Array<{ endpoint: Endpoint; subject: string; reconnectEndpoint?: Endpoint }>;
  /** LFS: the repository to request and follow; Centrifugo: the channel to subscribe to. */
  topic: string;
  scope?: TokenScope;
  /** Centrifugo: the HMAC secret to sign connection tokens with. */
  centrifugoSecret?: string;
  /** Connections in flight at once while connecting. */
  concurrency: number;
  /** Only connect and authenticate: no request_events / subscribe (idle sessions). */
  idle?: boolean;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  failures: Record<string, number>;
  /** Per session: connect start → authenticated (and subscribed / caught up unless idle), µs. */
  connectLatency: HistogramSnapshot;
  elapsedMs: number;
}

interface GroupReportParams {
  group: string;
  /** Start a new measuring window after reporting. */
  reset: boolean;
}

export interface GroupReport {
  sessions: number;
  open: number;
  /** Events received since the last reset (all sessions). */
  events: number;
  /** Send timestamp in the event → received, µs. */
  latency: HistogramSnapshot;
  /** Since the group started (never reset). */
  gaps: number;
  duplicates: number;
  closeCodes: Record<string, number>;
  windowUs: [number, number];
}

export interface DropParams {
  group: string;
  /** Reconnect at once (the storm) or just drop. */
  reconnect: boolean;
  /** Spread reconnects uniformly over this many ms (0 = all at once). */
  jitterMs: number;
}

export interface DropResult {
  sessions: number;
  /** Per session: drop → authenticated again, µs. */
  reconnectLatency: HistogramSnapshot;
  /** Per session: drop → sync_complete of the catch-up from its cursor (live again), µs. */
  resyncLatency: HistogramSnapshot;
  failed: number;
  failures: Record<string, number>;
  /** Events received by catch-up after the reconnect (missed while away). */
  caughtUpEvents: number;
  elapsedMs: number;
}

export interface AwaitHeadParams {
  group: string;
  head: number;
  timeoutMs: number;
}

export interface AwaitHeadResult {
  reached: number;
  behind: number;
  minCursor: number;
  gaps: number;
  duplicates: number;
  elapsedMs: number;
}

export interface PublishParams {
  protocol: Protocol;
  /** LFS: gateway WebSocket; Centrifugo: HTTP API base URL. */
  endpoint: Endpoint;
  topic: string;
  subject: string;
  /** Centrifugo HTTP API key. */
  apiKey?: string;
  /** Events per second (one event per push / publication unless batchSize > 1). */
  ratePerSecond: number;
  batchSize: number;
  payloadBytes: number;
  startAtUs: number;
  durationMs: number;
  drainMs: number;
}

export interface PublishResult {
  sent: number;
  acked: number;
  /** Send (scheduled) → ack (LFS: durable ack; Centrifugo: HTTP 200), µs. */
  ackLatency: HistogramSnapshot;
  errors: Record<string, number>;
  /** Highest serverSequence acked (LFS). */
  lastSequence: number;
  maxSendLagMs: number;
}

export interface LoadParams {
  endpoints: Endpoint[];
  repository: string;
  total: number;
  batchSize: number;
  payloadBytes: number;
  /** Parallel pushing sessions. */
  clients: number;
}

export interface LoadResult {
  loaded: number;
  elapsedMs: number;
  lastSequence: number;
  errors: Record<string, number>;
}

export interface CatchUpParams {
  endpoint: Endpoint;
  repository: string;
  expected: number;
  timeoutMs: number;
}

export interface CatchUpResult {
  events: number;
  pages: number;
  /** request_events sent → first page received. */
  firstPageMs: number;
  /** request_events sent → sync_complete. */
  totalMs: number;
  /** Every sequence 1..expected received exactly once, in order. */
  inOrder: boolean;
  lastSequence: number;
  bytes: number;
}

export interface SlowOpenParams {
  endpoint: Endpoint;
  topic: string;
  /**
   * `live`: catch up, then stop reading (live broadcasts pile up); `catchUp`: stop reading first, then ask
   * for everything after 0 (catch-up pages pile up).
   */
  pause: 'live' | 'catchUp';
}

export interface SlowResumeResult {
  closeCode: number | undefined;
  closeReason: string;
  errorCode: string | undefined;
  bytesReadAfterResume: number;
}

export interface Commands {
  ingest: { params: IngestParams; result: IngestResult };
  subscribe: { params: SubscribeParams; result: ConnectResult };
  report: { params: GroupReportParams; result: GroupReport };
  drop: { params: DropParams; result: DropResult };
  awaitHead: { params: AwaitHeadParams; result: AwaitHeadResult };
  close: { params: { group: string }; result: { closed: number } };
  publish: { params: PublishParams; result: PublishResult };
  stopPublish: { params: { topic: string }; result: { ok: true } };
  load: { params: LoadParams; result: LoadResult };
  catchUp: { params: CatchUpParams; result: CatchUpResult };
  slowOpen: { params: SlowOpenParams; result: { ok: true } };
  slowResume: { params: { timeoutMs: number }; result: SlowResumeResult };
}

export type Op = keyof Commands;

export interface WorkerRequest<O extends Op = Op> {
  id: number;
  op: O;
  params: Commands[O]['params'];
}

export type WorkerResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
