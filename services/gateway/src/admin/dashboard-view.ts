/** What `GET /admin/stats` answers: the whole deployment as the stats reports of the last moments show it. */
export interface DashboardView {
  atMs: number;
  totals: { gateways: number; connections: number; sessions: number };
  gateways: Array<{
    instance: string;
    connections: number;
    sessions: number;
    implicitSessions: number;
    ageMs: number;
  }>;
  repositories: RepositoryView[];
  /** Log messages the active persister has not yet acknowledged; null while no persister reports it. */
  persisterLag: number | null;
  persisters: Array<{
    instance: string;
    active: boolean;
    pending: number | null;
    ackPending: number | null;
    eventsStored: number;
    ageMs: number;
  }>;
  sequencerQueue: { requestsInFlight: number; queuedEvents: number };
  sequencers: Array<{ instance: string; requestsInFlight: number; queuedEvents: number; ageMs: number }>;
  /** Errors sent to clients by code: in the last `rejectionWindowMs`, and since the gateways started. */
  rejections: Array<{ code: string; recent: number; total: number }>;
  rejectionWindowMs: number;
}

export interface RepositoryView {
  repository: string;
  /** Highest committed sequence seen; null when no commit was seen since the dashboard started. */
  head: number | null;
  eventsPerSec: number;
  subscribers: number;
  presence: number;
}
