import type { GatewayStats, PersisterStats, SequencerStats, ServiceStats } from '@lfsync/contracts';
import type { DashboardView, RepositoryView } from './dashboard-view.ts';
import { RejectionHistory } from './rejection-history.ts';

/** A service that missed this many reports in a row is gone (stopped, crashed, partitioned away). */
const MISSED_REPORTS = 3;
/** Repositories nobody mentioned for this long leave the dashboard. */
const REPOSITORY_TTL_MS = 10 * 60_000;
const MAX_REPOSITORIES_KEPT = 2_000;
const MAX_REPOSITORIES_SHOWN = 100;

interface Received<T> {
  stats: T;
  receivedAtMs: number;
}

interface RepositoryState {
  head: number | undefined;
  eventsPerSec: number;
  rateUntilMs: number;
  seenAtMs: number;
}

/**
 * Every service's latest stats report, folded into one view of the deployment. Times are this gateway's
 * clock when a report arrived, never the sender's, so clock skew between hosts does not matter.
 */
export class DashboardAggregator {
  readonly #reports = new Map<string, Received<ServiceStats>>();
  readonly #repositories = new Map<string, RepositoryState>();
  readonly #rejections: RejectionHistory;

  constructor(rejectionWindowMs = 5 * 60_000) {
    this.#rejections = new RejectionHistory(rejectionWindowMs);
  }

  receive(stats: ServiceStats, nowMs: number): void {
    this.#reports.set(`${stats.service}:${stats.instance}`, { stats, receivedAtMs: nowMs });
    switch (stats.service) {
      case 'gateway':
        this.#rejections.record(stats.instance, stats.rejections, nowMs);
        for (const r of stats.repositories) this.#seen(r.repository, r.head, nowMs);
        return;
      case 'persister':
        for (const r of stats.repositories) {
          const state = this.#seen(r.repository, r.head, nowMs);
          state.eventsPerSec = (r.events * 1000) / stats.intervalMs;
          state.rateUntilMs = nowMs + 2 * stats.intervalMs;
        }
        return;
      case 'sequencer':
        return;
    }
  }

  view(nowMs: number): DashboardView {
    this.#expire(nowMs);
    const gateways = this.#live<GatewayStats>('gateway');
    const persisters = this.#live<PersisterStats>('persister');
    const sequencers = this.#live<SequencerStats>('sequencer');
    const gatewayViews = gateways.map(({ stats: g, receivedAtMs }) => ({
      instance: g.instance,
      connections: g.connections,
      sessions: g.sessions,
      implicitSessions: g.implicitSessions,
      ageMs: nowMs - receivedAtMs,
    }));
    return {
      atMs: nowMs,
      totals: {
        gateways: gateways.length,
        connections: sum(gatewayViews.map((g) => g.connections)),
        sessions: sum(gatewayViews.map((g) => g.sessions)),
      },
      gateways: gatewayViews.sort((a, b) => a.instance.localeCompare(b.instance)),
      repositories: this.#repositoryViews(
        gateways.map((g) => g.stats),
        nowMs,
      ),
      ...persisterViews(persisters, nowMs),
      ...sequencerViews(sequencers, nowMs),
      rejections: this.#rejections.summary(new Set(gateways.map((g) => g.stats.instance))),
      rejectionWindowMs: this.#rejections.windowMs,
    };
  }

  #seen(repository: string, head: number | undefined, nowMs: number): RepositoryState {
    let state = this.#repositories.get(repository);
    if (state === undefined) {
      if (this.#repositories.size >= MAX_REPOSITORIES_KEPT) this.#forgetOldestRepository();
      state = { head, eventsPerSec: 0, rateUntilMs: 0, seenAtMs: nowMs };
      this.#repositories.set(repository, state);
    }
    if (head !== undefined) state.head = Math.max(state.head ?? 0, head);
    state.seenAtMs = nowMs;
    return state;
  }

  #repositoryViews(gateways: readonly GatewayStats[], nowMs: number): RepositoryView[] {
    const local = new Map<string, { subscribers: number; presence: number }>();
    for (const gateway of gateways)
      for (const r of gateway.repositories) {
        const counts = local.get(r.repository) ?? { subscribers: 0, presence: 0 };
        counts.subscribers += r.subscribers;
        counts.presence += r.presence;
        local.set(r.repository, counts);
      }
    const views = [...this.#repositories].map(([repository, state]) => ({
      repository,
      head: state.head ?? null,
      eventsPerSec: state.rateUntilMs >= nowMs ? Math.round(state.eventsPerSec * 10) / 10 : 0,
      subscribers: local.get(repository)?.subscribers ?? 0,
      presence: local.get(repository)?.presence ?? 0,
    }));
    return views
      .sort(
        (a, b) =>
          b.eventsPerSec - a.eventsPerSec ||
          b.subscribers + b.presence - (a.subscribers + a.presence) ||
          a.repository.localeCompare(b.repository),
      )
      .slice(0, MAX_REPOSITORIES_SHOWN);
  }

  #live<T extends ServiceStats>(service: T['service']): Received<T>[] {
    return [...this.#reports.values()].filter((r): r is Received<T> => r.stats.service === service);
  }

  #expire(nowMs: number): void {
    for (const [key, { stats, receivedAtMs }] of this.#reports)
      if (nowMs - receivedAtMs > MISSED_REPORTS * stats.intervalMs) {
        this.#reports.delete(key);
        if (stats.service === 'gateway') this.#rejections.forget(stats.instance);
      }
    for (const [repository, state] of this.#repositories)
      if (nowMs - state.seenAtMs > REPOSITORY_TTL_MS) this.#repositories.delete(repository);
  }

  #forgetOldestRepository(): void {
    let oldest: [string, number] | undefined;
    for (const [repository, { seenAtMs }] of this.#repositories)
      if (oldest === undefined || seenAtMs < oldest[1]) oldest = [repository, seenAtMs];
    if (oldest !== undefined) this.#repositories.delete(oldest[0]);
  }
}

function persisterViews(persisters: readonly Received<PersisterStats>[], nowMs: number) {
  const views = persisters.map(({ stats: p, receivedAtMs }) => ({
    instance: p.instance,
    active: p.active,
    pending: p.pending ?? null,
    ackPending: p.ackPending ?? null,
    eventsStored: p.eventsStored,
    ageMs: nowMs - receivedAtMs,
  }));
  const measured = views.filter((p) => p.active && p.pending !== null);
  return {
    persisterLag:
      measured.length === 0 ? null : sum(measured.map((p) => (p.pending ?? 0) + (p.ackPending ?? 0))),
    persisters: views.sort(
      (a, b) => Number(b.active) - Number(a.active) || a.instance.localeCompare(b.instance),
    ),
  };
}

function sequencerViews(sequencers: readonly Received<SequencerStats>[], nowMs: number) {
  const views = sequencers.map(({ stats: s, receivedAtMs }) => ({
    instance: s.instance,
    requestsInFlight: s.requestsInFlight,
    queuedEvents: s.queuedEvents,
    ageMs: nowMs - receivedAtMs,
  }));
  return {
    sequencerQueue: {
      requestsInFlight: sum(views.map((s) => s.requestsInFlight)),
      queuedEvents: sum(views.map((s) => s.queuedEvents)),
    },
    sequencers: views.sort((a, b) => a.instance.localeCompare(b.instance)),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
