import { Histogram } from '../stats/histogram.ts';
import { signCentrifugoToken, signToken, FULL_ACCESS } from '../stack/tokens.ts';
import { CentrifugoSession, type Publication } from './centrifugo-session.ts';
import { LfsSession, type ReceivedEvent } from './lfs-session.ts';
import {
  nowUs,
  type AwaitHeadParams,
  type AwaitHeadResult,
  type ConnectResult,
  type DropParams,
  type DropResult,
  type Endpoint,
  type GroupReport,
  type SubscribeParams,
} from './messages.ts';
import { count, errorKey, mapLimit, sleep } from './util.ts';

/** What every session of a group adds to: deliveries and their latency since the last report. */
class GroupStats {
  latency = new Histogram();
  events = 0;
  windowStartUs = nowUs();
  closeCodes: Record<string, number> = {};

  delivered(now: number, t: number | undefined): void {
    this.events += 1;
    if (t !== undefined) this.latency.record(now - t);
  }
}

interface Member {
  readonly cursor: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly caughtUp: number;
  readonly isOpen: boolean;
  /** Connects, authenticates and (unless idle) subscribes / catches up; resolves with the moment auth succeeded. */
  start(endpoint: Endpoint): Promise<number>;
  drop(): void;
  close(): void;
}

/**
 * A session following one repository the way an SDK does: live events, and after every (re)connect a
 * catch-up from its cursor. Once caught up on a connection, a sequence jump is a gap and a repeat a duplicate
 * (the gateway owes each session every event once, in order — I5).
 */
class LfsSubscriber implements Member {
  cursor = 0;
  gaps = 0;
  duplicates = 0;
  caughtUp = 0;
  readonly #token: string;
  readonly #topic: string;
  readonly #stats: GroupStats;
  readonly #idle: boolean;
  #session: LfsSession | undefined;
  #synced = false;
  #catchingUp = false;
  #syncWaiter: (() => void) | undefined;

  constructor(token: string, topic: string, stats: GroupStats, idle: boolean) {
    this.#token = token;
    this.#topic = topic;
    this.#stats = stats;
    this.#idle = idle;
  }

  get isOpen(): boolean {
    return this.#session?.isOpen ?? false;
  }

  async start(endpoint: Endpoint): Promise<number> {
    this.#synced = false;
    const session = await LfsSession.connect(endpoint, this.#token, {
      onEvents: this.#idle ? undefined : (_repository, events) => this.#onEvents(events),
      onSyncComplete: () => {
        this.#synced = true;
        this.#catchingUp = false;
        this.#syncWaiter?.();
      },
      onClose: (code) => {
        if (this.#session === session) count(this.#stats.closeCodes, String(code));
      },
    });
    const authenticatedAt = nowUs();
    this.#session = session;
    if (this.#idle) return authenticatedAt;
    let timer: NodeJS.Timeout | undefined;
    const synced = new Promise<void>((resolve, reject) => {
      this.#syncWaiter = resolve;
      timer = setTimeout(() => reject(new Error('no sync_complete within 60 s')), 60_000);
    });
    this.#catchingUp = true;
    session.requestEvents(this.#topic, this.cursor);
    try {
      await synced;
    } catch (err) {
      // Give up on this connection entirely, or it would keep feeding events next to the retry's.
      if (this.#session === session) this.#session = undefined;
      session.terminate();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return authenticatedAt;
  }

  drop(): void {
    const session = this.#session;
    this.#session = undefined;
    this.#synced = false;
    session?.terminate();
  }

  close(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.terminate();
  }

  #onEvents(events: readonly ReceivedEvent[]): void {
    const now = nowUs();
    for (const event of events) {
      const sequence = event.serverSequence;
      if (sequence <= this.cursor) {
        if (this.#synced) this.duplicates += 1;
        continue;
      }
      if (sequence !== this.cursor + 1) {
        // Before this connection's catch-up completed, a jump is expected (live events overtaking it).
        if (!this.#synced) break;
        this.gaps += 1;
      }
      this.cursor = sequence;
      if (this.#catchingUp) this.caughtUp += 1;
      this.#stats.delivered(now, event._data?.t);
    }
  }
}

/**
 * A Centrifugo subscriber. There is no cursor protocol and the publisher posts concurrently (so publications
 * may arrive in any order); receipt is tracked per publisher `seq` in a bitmap: a seq seen twice is a
 * duplicate, and `cursor` is the highest seq below which nothing is missing.
 */
class CentrifugoSubscriber implements Member {
  cursor = 0;
  duplicates = 0;
  readonly caughtUp = 0;
  readonly #token: string;
  readonly #topic: string;
  readonly #stats: GroupStats;
  readonly #idle: boolean;
  #session: CentrifugoSession | undefined;
  #received = new Uint8Array(1024);
  #highest = 0;

  constructor(token: string, topic: string, stats: GroupStats, idle: boolean) {
    this.#token = token;
    this.#topic = topic;
    this.#stats = stats;
    this.#idle = idle;
  }

  get isOpen(): boolean {
    return this.#session !== undefined;
  }

  /** Seqs below the highest one received that never arrived. */
  get gaps(): number {
    let missing = 0;
    for (let seq = this.cursor + 1; seq < this.#highest; seq++) if (this.#received[seq] !== 1) missing += 1;
    return missing;
  }

  async start(endpoint: Endpoint): Promise<number> {
    const session = await CentrifugoSession.connect(endpoint, this.#token);
    const authenticatedAt = nowUs();
    session.onPublication = (_channel, data) => this.#onPublication(data);
    session.onClose = (code) => {
      if (this.#session === session) {
        count(this.#stats.closeCodes, String(code));
        this.#session = undefined;
      }
    };
    this.#session = session;
    if (!this.#idle) await session.subscribe(this.#topic);
    return authenticatedAt;
  }

  drop(): void {
    this.close();
  }

  close(): void {
    const session = this.#session;
    this.#session = undefined;
    session?.terminate();
  }

  #onPublication(data: Publication): void {
    const seq = data.seq;
    if (seq !== undefined && seq > 0) {
      if (seq >= this.#received.length) {
        const grown = new Uint8Array(Math.max(seq + 1, this.#received.length * 2));
        grown.set(this.#received);
        this.#received = grown;
      }
      if (this.#received[seq] === 1) this.duplicates += 1;
      this.#received[seq] = 1;
      this.#highest = Math.max(this.#highest, seq);
      while (this.#received[this.cursor + 1] === 1) this.cursor += 1;
    }
    this.#stats.delivered(nowUs(), data.t);
  }
}

interface Group {
  stats: GroupStats;
  members: Member[];
  endpoints: Endpoint[];
  reconnectEndpoints: Endpoint[];
}

const groups = new Map<string, Group>();

/** A group this generator got no share of answers as an empty one. */
function groupOf(name: string): Group {
  return groups.get(name) ?? { stats: new GroupStats(), members: [], endpoints: [], reconnectEndpoints: [] };
}

export async function subscribe(params: SubscribeParams): Promise<ConnectResult> {
  const stats = new GroupStats();
  const group: Group = { stats, members: [], endpoints: [], reconnectEndpoints: [] };
  groups.set(params.group, group);
  const failures: Record<string, number> = {};
  const latency = new Histogram();
  const started = performance.now();
  let connected = 0;
  await mapLimit(params.sessions, params.concurrency, async (spec) => {
    const t0 = nowUs();
    try {
      const member =
        params.protocol === 'lfs'
          ? new LfsSubscriber(
              await signToken(spec.subject, params.scope ?? FULL_ACCESS),
              params.topic,
              stats,
              params.idle === true,
            )
          : new CentrifugoSubscriber(
              await signCentrifugoToken(spec.subject, params.centrifugoSecret ?? ''),
              params.topic,
              stats,
              params.idle === true,
            );
      await member.start(spec.endpoint);
      latency.record(nowUs() - t0);
      group.members.push(member);
      group.endpoints.push(spec.endpoint);
      group.reconnectEndpoints.push(spec.reconnectEndpoint ?? spec.endpoint);
      connected += 1;
    } catch (err) {
      count(failures, errorKey(err));
    }
  });
  return {
    connected,
    failed: params.sessions.length - connected,
    failures,
    connectLatency: latency.snapshot(),
    elapsedMs: performance.now() - started,
  };
}

export function report(params: { group: string; reset: boolean }): GroupReport {
  const group = groupOf(params.group);
  const { stats } = group;
  const now = nowUs();
  const result: GroupReport = {
    sessions: group.members.length,
    open: group.members.filter((m) => m.isOpen).length,
    events: stats.events,
    latency: stats.latency.snapshot(),
    gaps: group.members.reduce((n, m) => n + m.gaps, 0),
    duplicates: group.members.reduce((n, m) => n + m.duplicates, 0),
    closeCodes: { ...stats.closeCodes },
    windowUs: [stats.windowStartUs, now],
  };
  if (params.reset) {
    stats.latency.reset();
    stats.events = 0;
    stats.windowStartUs = now;
  }
  return result;
}

/** Drops every session of the group at once and (for the storm) reconnects each from its cursor. */
export async function drop(params: DropParams): Promise<DropResult> {
  const group = groupOf(params.group);
  const reconnectLatency = new Histogram();
  const resyncLatency = new Histogram();
  const failures: Record<string, number> = {};
  const caughtUpBefore = group.members.reduce((n, m) => n + m.caughtUp, 0);
  const started = performance.now();
  const t0 = nowUs();
  for (const member of group.members) member.drop();
  if (!params.reconnect) {
    return {
      sessions: group.members.length,
      reconnectLatency: reconnectLatency.snapshot(),
      resyncLatency: resyncLatency.snapshot(),
      failed: 0,
      failures,
      caughtUpEvents: 0,
      elapsedMs: 0,
    };
  }
  let failed = 0;
  await Promise.all(
    group.members.map(async (member, i) => {
      if (params.jitterMs > 0) await sleep(Math.random() * params.jitterMs);
      for (let attempt = 0; ; attempt++) {
        try {
          const authenticatedAt = await member.start(group.reconnectEndpoints[i] as Endpoint);
          reconnectLatency.record(authenticatedAt - t0);
          break;
        } catch (err) {
          count(failures, errorKey(err));
          if (attempt >= 20) {
            failed += 1;
            return;
          }
          await sleep(100 + Math.random() * 200);
        }
      }
      resyncLatency.record(nowUs() - t0);
    }),
  );
  return {
    sessions: group.members.length,
    reconnectLatency: reconnectLatency.snapshot(),
    resyncLatency: resyncLatency.snapshot(),
    failed,
    failures,
    caughtUpEvents: group.members.reduce((n, m) => n + m.caughtUp, 0) - caughtUpBefore,
    elapsedMs: performance.now() - started,
  };
}

export async function awaitHead(params: AwaitHeadParams): Promise<AwaitHeadResult> {
  const group = groupOf(params.group);
  const started = performance.now();
  const deadline = started + params.timeoutMs;
  while (performance.now() < deadline && group.members.some((m) => m.cursor < params.head)) await sleep(20);
  const cursors = group.members.map((m) => m.cursor);
  return {
    reached: cursors.filter((c) => c >= params.head).length,
    behind: cursors.filter((c) => c < params.head).length,
    minCursor: cursors.length === 0 ? 0 : Math.min(...cursors),
    gaps: group.members.reduce((n, m) => n + m.gaps, 0),
    duplicates: group.members.reduce((n, m) => n + m.duplicates, 0),
    elapsedMs: performance.now() - started,
  };
}

export function closeGroup(params: { group: string }): { closed: number } {
  const group = groups.get(params.group);
  if (group === undefined) return { closed: 0 };
  for (const member of group.members) member.close();
  groups.delete(params.group);
  return { closed: group.members.length };
}
