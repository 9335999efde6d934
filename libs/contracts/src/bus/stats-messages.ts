import { z } from 'zod';
import { repositoryNameSchema } from '../repository.ts';

const instanceSchema = z.string().min(1).max(128);
const count = z.number().int().nonnegative();

/** At most this many repositories in one report; the busiest come first. */
export const MAX_STATS_REPOSITORIES = 200;

/** What a gateway knows of one repository: its sessions subscribed here, its members present here. */
const gatewayRepositoryStatsSchema = z.object({
  repository: repositoryNameSchema,
  subscribers: count,
  presence: count,
  /** The highest sequence this gateway saw committed, when it saw one. */
  head: count.optional(),
});
export type GatewayRepositoryStats = z.infer<typeof gatewayRepositoryStatsSchema>;

/** Repositories the persister committed to in the last interval: events stored and the head reached. */
const committedRepositoryStatsSchema = z.object({
  repository: repositoryNameSchema,
  head: count,
  events: count,
});
export type CommittedRepositoryStats = z.infer<typeof committedRepositoryStatsSchema>;

const common = {
  /** One process (a gateway's id, a sequencer's or persister's host:pid). */
  instance: instanceSchema,
  /** When it was measured (epoch ms), and how long until the next report. */
  atMs: count,
  intervalMs: z.number().int().positive(),
};

/**
 * What each service reports about itself every STATS_INTERVAL_MS on `statsSubject` (core NATS, or the
 * in-process bus of the embedded mode), for the admin dashboard. Counts are cumulative since the process
 * started unless named per interval.
 */
export const serviceStatsSchema = z.discriminatedUnion('service', [
  z.object({
    service: z.literal('gateway'),
    ...common,
    connections: count,
    sessions: count,
    /** Sessions that never subscribed and so receive every repository their token may read. */
    implicitSessions: count,
    repositories: z.array(gatewayRepositoryStatsSchema).max(MAX_STATS_REPOSITORIES),
    /** Errors sent to clients since start, by code. */
    rejections: z.record(z.string().max(64), count),
  }),
  z.object({
    service: z.literal('sequencer'),
    ...common,
    /** Requests taken and not yet answered. */
    requestsInFlight: count,
    /** Events waiting for their repository's sequencer. */
    queuedEvents: count,
  }),
  z.object({
    service: z.literal('persister'),
    ...common,
    /** Holds the lease and consumes the log (the others stand by). */
    active: z.boolean(),
    /** Log messages not yet delivered / delivered and not yet acknowledged; absent where unknown. */
    pending: count.optional(),
    ackPending: count.optional(),
    /** Events stored since start. */
    eventsStored: count,
    repositories: z.array(committedRepositoryStatsSchema).max(MAX_STATS_REPOSITORIES),
  }),
]);
export type ServiceStats = z.infer<typeof serviceStatsSchema>;
export type GatewayStats = Extract<ServiceStats, { service: 'gateway' }>;
export type SequencerStats = Extract<ServiceStats, { service: 'sequencer' }>;
export type PersisterStats = Extract<ServiceStats, { service: 'persister' }>;
