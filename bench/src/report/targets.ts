import { int, kib, mib, ms, ratio } from './format.ts';
import { catchUpStoreTargets } from './catchup-store-section.ts';
import type { BenchReport } from './model.ts';

export interface TargetRow {
  target: string;
  goal: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
  /** By how much a target is missed, or the caveat under which it was measured. */
  detail: string;
}

/** ≥ goal: how far below; ≤ goal: how far above. */
export function judge(
  measured: number | undefined,
  goal: number,
  direction: 'atLeast' | 'atMost',
): Pick<TargetRow, 'status' | 'detail'> {
  if (measured === undefined || !Number.isFinite(measured)) return { status: 'not measured', detail: '' };
  if (direction === 'atLeast') {
    if (measured >= goal) return { status: 'met', detail: `${ratio(measured, goal)} the goal` };
    const share = (100 * measured) / goal;
    return {
      status: 'missed',
      detail: `${share >= 95 ? share.toFixed(1) : share.toFixed(0)}% of the goal (${ratio(goal, measured)} short)`,
    };
  }
  if (measured <= goal) return { status: 'met', detail: `${ratio(measured, goal)} of the limit` };
  return { status: 'missed', detail: `${ratio(measured, goal)} the limit` };
}

const TWENTY_KB = 20 * 1024;

// eslint-disable-next-line max-lines-per-function -- declarative table
export function targetRows(report: BenchReport): TargetRow[] {
  const rows: TargetRow[] = [];
  const { ingest, baseline, fanout, centrifugo, connections, catchUp, slowConsumer, reconnect } = report;
  const centrifugoFanout = centrifugo?.available === true ? centrifugo.fanout : undefined;
  const centrifugoIdle = centrifugo?.available === true ? centrifugo.connections : undefined;

  const ingestRate = ingest?.closed.eventsPerSec;
  rows.push({
    target: 'Ingest throughput, durable acks',
    goal: '≥ 10,000 events/s',
    measured: `${int(ingestRate)} events/s`,
    ...judge(ingestRate, 10_000, 'atLeast'),
  });

  const vsBaseline =
    ingestRate !== undefined && baseline !== undefined
      ? ingestRate / baseline.closed.eventsPerSec
      : undefined;
  rows.push({
    target: 'Ingest vs naive baseline',
    goal: '≥ 10×',
    measured:
      vsBaseline === undefined
        ? '–'
        : `${vsBaseline.toFixed(1)}× (${int(ingestRate)} vs ${int(baseline?.closed.eventsPerSec)} events/s)`,
    ...judge(vsBaseline, 10, 'atLeast'),
  });

  const openP99 = ingest?.open?.latency.p99Ms;
  rows.push({
    target: 'Push → ack p99 at 50% of max load',
    goal: '≤ 50 ms',
    measured: `${ms(openP99)} at ${int(ingest?.open?.offeredEventsPerSec)} events/s`,
    ...judge(openP99, 50, 'atMost'),
  });

  const fixed = ingest?.fixed;
  const fixedJudgement = judge(fixed?.latency.p99Ms, 10, 'atMost');
  if (fixed !== undefined && fixed.offeredEventsPerSec !== 1_000)
    fixedJudgement.detail += `; measured at ${int(fixed.offeredEventsPerSec)} events/s, not 1,000`;
  rows.push({
    target: 'Push → ack p99 at 1,000 events/s',
    goal: '≤ 10 ms',
    measured: `${ms(fixed?.latency.p99Ms)} (p50 ${ms(fixed?.latency.p50Ms)})`,
    ...fixedJudgement,
  });

  const servicesUs = ingest?.closed.cost.servicesUs;
  rows.push({
    target: 'Our services’ CPU per durable event (ingest closed loop)',
    goal: '≤ 50 µs',
    measured: `${int(servicesUs)} µs`,
    ...judge(servicesUs, 50, 'atMost'),
  });

  const hot = report.hotRepository;
  rows.push({
    target: 'One hot repository, durable acks',
    goal: '≥ 8,000 events/s',
    measured:
      hot === undefined
        ? '–'
        : `${int(hot.closed.eventsPerSec)} events/s (${hot.clients} clients × batches of ${hot.batchSize})`,
    ...judge(hot?.closed.eventsPerSec, 8_000, 'atLeast'),
  });

  const deliveries = fanout?.deliveriesPerSec;
  const fanoutJudgement = judge(deliveries, 200_000, 'atLeast');
  if (fanout !== undefined && fanout.expectedDeliveriesPerSec < 200_000) {
    fanoutJudgement.detail += `; offered only ${int(fanout.expectedDeliveriesPerSec)}/s (${fanout.offeredEventsPerSec} events/s × ${fanout.connected} sessions)`;
  }
  rows.push({
    target: 'Fan-out deliveries',
    goal: '≥ 200,000 /s',
    measured: `${int(deliveries)} /s`,
    ...fanoutJudgement,
  });

  const fanoutP99 = fanout?.latency.p99Ms;
  const p99Judgement = judge(fanoutP99, 100, 'atMost');
  if (fanout !== undefined && fanout.sessions !== 5_000)
    p99Judgement.detail += `; measured with ${fanout.sessions} sessions, not 5,000`;
  rows.push({
    target: 'Fan-out end-to-end p99',
    goal: '≤ 100 ms with 5,000 sessions',
    measured: ms(fanoutP99),
    ...p99Judgement,
  });

  for (const [label, key] of [
    ['p50', 'p50Ms'],
    ['p99', 'p99Ms'],
  ] as const) {
    const ours = fanout?.latency[key];
    const theirs = centrifugoFanout?.latency[key];
    const r = ours !== undefined && theirs !== undefined ? ours / theirs : undefined;
    rows.push({
      target: `Fan-out latency ${label} vs Centrifugo`,
      goal: '≤ 1.5×',
      measured: `${ratio(ours, theirs)} (${ms(ours)} vs ${ms(theirs)})`,
      ...judge(r, 1.5, 'atMost'),
    });
  }

  const idleOurs = connections?.rssPerSessionBytes;
  const idleTheirs = centrifugoIdle?.rssPerSessionBytes;
  const memRatio = idleOurs !== undefined && idleTheirs !== undefined ? idleOurs / idleTheirs : undefined;
  rows.push({
    target: 'Memory per idle connection vs Centrifugo',
    goal: '≤ 1.5×',
    measured: `${ratio(idleOurs, idleTheirs)} (${kib(idleOurs)} vs ${kib(idleTheirs)})`,
    ...judge(memRatio, 1.5, 'atMost'),
  });

  const idleJudgement = judge(idleOurs, TWENTY_KB, 'atMost');
  if (connections !== undefined && connections.connected < 20_000) {
    idleJudgement.detail += `; measured with ${int(connections.connected)} sessions${connections.limitNote === undefined ? '' : ` (${connections.limitNote})`}`;
  }
  rows.push({
    target: 'RSS per idle session (20,000 sessions)',
    goal: '≤ 20 KiB',
    measured: kib(idleOurs),
    ...idleJudgement,
  });

  const catchUpMs = catchUp?.medianMs;
  const catchUpJudgement = judge(catchUpMs, 2_000, 'atMost');
  if (catchUp !== undefined && catchUp.events !== 100_000)
    catchUpJudgement.detail += `; measured with ${int(catchUp.events)} events`;
  if (catchUp !== undefined && !catchUp.allComplete)
    catchUpJudgement.detail += '; NOT every run received every event in order';
  rows.push({
    target: 'Catch-up of 100,000 events (median run)',
    goal: '≤ 2 s',
    measured: ms(catchUpMs),
    ...catchUpJudgement,
  });

  if (slowConsumer !== undefined) {
    for (const [label, phase] of [
      ['live', slowConsumer.live],
      ['during catch-up', slowConsumer.catchUp],
    ] as const) {
      if (phase === undefined) continue;
      const growth = phase.rssMaxBytes - phase.rssBaselineBytes;
      // Dropped while it was not reading (the gateway's own counter), not only once it read again.
      const dropped = phase.closeCode === 4408 && phase.disconnectedAfterMs !== undefined;
      // The slow session's buffer (plus kernel buffers), and an allowance for the healthy traffic's heap churn.
      const bound = 4 * slowConsumer.maxOutboundBytes + 32 * 1024 * 1024;
      rows.push({
        target: `Slow consumer (${label}) dropped, gateway memory bounded`,
        goal: `4408 while not reading; RSS growth < 4 × MAX_OUTBOUND_BYTES + 32 MiB (${mib(bound)})`,
        measured: `close ${phase.closeCode ?? 'none'}${phase.disconnectedAfterMs === undefined ? ', not dropped while paused' : ` after ${ms(phase.disconnectedAfterMs)}`}; RSS +${mib(growth)}`,
        status: dropped && growth < bound ? 'met' : 'missed',
        detail: `healthy sessions' p99 ${ms(slowConsumer.control.p99Ms)} before, ${ms(phase.healthy.p99Ms)} during`,
      });
    }
  } else
    rows.push({
      target: 'Slow consumer dropped, gateway memory bounded',
      goal: 'close 4408',
      measured: '–',
      status: 'not measured',
      detail: '',
    });

  if (reconnect !== undefined) {
    const clean =
      reconnect.sessionsBehind === 0 &&
      reconnect.gaps === 0 &&
      reconnect.duplicates === 0 &&
      reconnect.failedSessions === 0;
    rows.push({
      target: 'Reconnect storm: every session live again, nothing missing',
      goal: 'no gaps, duplicates or sessions behind',
      measured: `${int(reconnect.connected)} sessions live again after ${ms(reconnect.allLiveMs)}`,
      status: clean ? 'met' : 'missed',
      detail: `${reconnect.sessionsBehind} behind, ${reconnect.gaps} gaps, ${reconnect.duplicates} duplicates, ${reconnect.failedSessions} failed`,
    });
  } else
    rows.push({
      target: 'Reconnect storm: every session live again, nothing missing',
      goal: '–',
      measured: '–',
      status: 'not measured',
      detail: '',
    });
  rows.push(...catchUpStoreTargets(report));
  return rows;
}
