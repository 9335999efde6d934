import { Histogram } from '../stats/histogram.ts';
import { signCentrifugoToken, signToken, FULL_ACCESS } from '../stack/tokens.ts';
import { CentrifugoSubscriber } from './centrifugo-subscriber.ts';
import { GroupStats, type Member } from './group-stats.ts';
import { LfsSubscriber } from './lfs-subscriber.ts';
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

interface StormTally {
  readonly t0: number;
  readonly reconnectLatency: Histogram;
  readonly resyncLatency: Histogram;
  readonly failures: Record<string, number>;
  failed: number;
}

/** Reconnects one member from its cursor (up to 20 retries): when it authenticated, and when it was live again. */
async function reconnect(
  member: Member,
  endpoint: Endpoint,
  jitterMs: number,
  tally: StormTally,
): Promise<void> {
  if (jitterMs > 0) await sleep(Math.random() * jitterMs);
  for (let attempt = 0; ; attempt++) {
    try {
      const authenticatedAt = await member.start(endpoint);
      tally.reconnectLatency.record(authenticatedAt - tally.t0);
      break;
    } catch (err) {
      count(tally.failures, errorKey(err));
      if (attempt >= 20) {
        tally.failed += 1;
        return;
      }
      await sleep(100 + Math.random() * 200);
    }
  }
  tally.resyncLatency.record(nowUs() - tally.t0);
}

function caughtUpEvents(group: Group): number {
  return group.members.reduce((n, m) => n + m.caughtUp, 0);
}

/** Drops every session of the group at once and (for the storm) reconnects each from its cursor. */
export async function drop(params: DropParams): Promise<DropResult> {
  const group = groupOf(params.group);
  const caughtUpBefore = caughtUpEvents(group);
  const started = performance.now();
  const tally: StormTally = {
    t0: nowUs(),
    reconnectLatency: new Histogram(),
    resyncLatency: new Histogram(),
    failures: {},
    failed: 0,
  };
  for (const member of group.members) member.drop();
  if (params.reconnect) {
    await Promise.all(
      group.members.map((member, i) =>
        reconnect(member, group.reconnectEndpoints[i] as Endpoint, params.jitterMs, tally),
      ),
    );
  }
  return {
    sessions: group.members.length,
    reconnectLatency: tally.reconnectLatency.snapshot(),
    resyncLatency: tally.resyncLatency.snapshot(),
    failed: tally.failed,
    failures: tally.failures,
    caughtUpEvents: params.reconnect ? caughtUpEvents(group) - caughtUpBefore : 0,
    elapsedMs: params.reconnect ? performance.now() - started : 0,
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
