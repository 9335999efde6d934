/**
 * Names of every NATS subject, stream, consumer and KV bucket. A prefix keeps deployments (and tests
 * sharing one NATS server) apart; repository names are subject-safe by construction (see repository.ts).
 */
export interface BusNames {
  readonly prefix: string;
  /** Core request/reply subject the sequencers serve in a queue group. */
  readonly sequenceSubject: string;
  readonly sequencerQueue: string;
  /** JetStream stream holding the ordered, sequenced log of every repository. */
  readonly logStream: string;
  logSubject(repository: string): string;
  readonly logSubjectWildcard: string;
  readonly persisterConsumer: string;
  /** Core subject the persister publishes committed batches on; every gateway listens. */
  commitSubject(repository: string): string;
  readonly commitSubjectWildcard: string;
  /** KV bucket: `<repository>.<base64url(eventId)>` → where that event sits. */
  readonly eventIndexBucket: string;
  eventIndexKey(repository: string, eventId: string): string;
  /** Core subject on which gateways announce presence joins, leaves and state for one repository. */
  presenceSubject(repository: string): string;
  /** Core subject on which every gateway announces it is alive, so others can expire its members. */
  readonly presenceHeartbeatSubject: string;
  /** KV bucket of the persisters' lease: which replica consumes the log. */
  readonly leaseBucket: string;
  /** Core subject the sequencers announce themselves on (who owns which repository). */
  readonly sequencerHeartbeatSubject: string;
  /** Core subject one sequencer replica serves alone: requests forwarded to the owner of their repository. */
  sequencerDirectSubject(member: string): string;
  /** Core subject every service reports its stats on, for the gateways' admin dashboard. */
  readonly statsSubject: string;
}

export const DEFAULT_BUS_PREFIX = 'lfs';

/** Header of a commit broadcast: when the persister committed it (epoch ms), for the broadcast-lag metric. */
export const COMMITTED_AT_HEADER = 'Lfs-Committed-At';

export function busNames(prefix: string = DEFAULT_BUS_PREFIX): BusNames {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) throw new Error(`invalid bus prefix ${JSON.stringify(prefix)}`);
  const upper = prefix.toUpperCase().replaceAll('-', '_');
  return {
    prefix,
    sequenceSubject: `${prefix}.sequence`,
    sequencerQueue: `${prefix}-sequencer`,
    logStream: `${upper}_LOG`,
    logSubject: (repository) => `${prefix}.log.${repository}`,
    logSubjectWildcard: `${prefix}.log.*`,
    persisterConsumer: `${prefix}-persister`,
    commitSubject: (repository) => `${prefix}.commit.${repository}`,
    commitSubjectWildcard: `${prefix}.commit.*`,
    eventIndexBucket: `${upper}_EVENT_IDS`,
    eventIndexKey: (repository, eventId) => `${kvKeyOf(repository)}.${base64Url(eventId)}`,
    presenceSubject: (repository) => `${prefix}.presence.${repository}`,
    presenceHeartbeatSubject: `${prefix}.presence-gateways`,
    leaseBucket: `${upper}_LEASES`,
    sequencerHeartbeatSubject: `${prefix}.sequencers.heartbeat`,
    sequencerDirectSubject: (member) => `${prefix}.sequencers.direct.${member}`,
    statsSubject: `${prefix}.stats`,
  };
}

/**
 * KV keys allow `[-/_=.A-Za-z0-9]`: a `:` of a repository name is written `=3A`. Names never hold `=`, and
 * names without `:` keep the keys they always had.
 */
function kvKeyOf(repository: string): string {
  return repository.replaceAll(':', '=3A');
}

const utf8 = new TextEncoder();
const PRINTABLE_ASCII = /^[ -~]*$/;

/** A printable ASCII id (a UUID, as clients make them) is its own UTF-8: btoa takes it as it is, 5× faster. */
function base64Url(text: string): string {
  let binary = text;
  if (!PRINTABLE_ASCII.test(text)) {
    binary = '';
    for (const byte of utf8.encode(text)) binary += String.fromCharCode(byte);
  }
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}
