import type { BusNames } from '@lfsync/contracts';

/** One service's NATS permissions, in nats-server's `authorization.users[].permissions` shape. */
export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  /** Lets a responder publish its replies to the requester's inbox, and nothing else in `_INBOX`. */
  allow_responses?: boolean;
}

export type ServiceRole = 'gateway' | 'sequencer' | 'persister';

const INBOX = '_INBOX.>';

/** JetStream API subjects to create, read and update one stream (never delete or purge it). */
function streamApi(stream: string): string[] {
  return [
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.UPDATE.${stream}`,
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
  ];
}

/**
 * Least privilege per service. The gateway may only ask for sequences and hear commits; the sequencer
 * appends to the log, owns the event-id index, talks to its replicas and reads how far the persister got;
 * the persister reads the log through its durable consumer (which it may recreate to replay the log after
 * a restore), trims what it stored, holds its lease and broadcasts commits; gateways share presence. No
 * service may delete a stream or publish another's subjects, so a stolen gateway credential cannot forge
 * log entries; only the persister may purge the log.
 */
export function natsPermissions(names: BusNames): Record<ServiceRole, NatsPermissions> {
  const log = names.logStream;
  const consumer = names.persisterConsumer;
  const kvStream = `KV_${names.eventIndexBucket}`;
  const leaseStream = `KV_${names.leaseBucket}`;
  // Heartbeats of the sequencer replicas, and requests forwarded to the owner of a repository.
  const sequencers = `${names.prefix}.sequencers.>`;
  // Presence: joins, leaves and state per repository, and the gateways' heartbeats.
  const presence = [names.presenceSubject('>'), names.presenceHeartbeatSubject];
  // Every service reports its stats; the gateways' admin dashboards listen.
  const stats = names.statsSubject;
  return {
    gateway: {
      publish: { allow: [names.sequenceSubject, ...presence, stats] },
      subscribe: { allow: [names.commitSubjectWildcard, ...presence, stats, INBOX] },
      // Presence queries between gateways are answered on the asker's inbox.
      allow_responses: true,
    },
    sequencer: {
      publish: {
        allow: [
          names.logSubjectWildcard,
          sequencers,
          stats,
          `$KV.${names.eventIndexBucket}.>`,
          '$JS.API.INFO',
          ...streamApi(log),
          ...streamApi(kvStream),
          `$JS.API.CONSUMER.INFO.${log}.${consumer}`,
        ],
      },
      subscribe: { allow: [names.sequenceSubject, sequencers, INBOX] },
      allow_responses: true,
    },
    persister: {
      publish: {
        allow: [
          names.commitSubjectWildcard,
          stats,
          `$KV.${names.leaseBucket}.>`,
          '$JS.API.INFO',
          ...streamApi(log),
          ...streamApi(leaseStream),
          ...persisterConsumerApi(log, consumer),
          `$JS.API.STREAM.PURGE.${log}`,
        ],
      },
      subscribe: { allow: [INBOX] },
    },
  };
}

/** The persister's durable consumer: create (or recreate after a restore), read, pull and ack. */
function persisterConsumerApi(log: string, consumer: string): string[] {
  return [
    `$JS.API.CONSUMER.CREATE.${log}.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${log}.${consumer}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${log}.${consumer}`,
    `$JS.API.CONSUMER.INFO.${log}.${consumer}`,
    `$JS.API.CONSUMER.DELETE.${log}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${log}.${consumer}`,
    `$JS.ACK.${log}.${consumer}.>`,
  ];
}

/**
 * The `authorization` block of a nats-server config: one user per service with its permissions.
 * Passwords are nats-server variable references (`$GATEWAY_NATS_PASSWORD`), resolved from the server's
 * environment, so the file itself holds no secret and can live in a ConfigMap.
 */
export function natsAuthorizationBlock(
  names: BusNames,
  passwords: Record<ServiceRole, string> = {
    gateway: '$GATEWAY_NATS_PASSWORD',
    sequencer: '$SEQUENCER_NATS_PASSWORD',
    persister: '$PERSISTER_NATS_PASSWORD',
  },
): string {
  const permissions = natsPermissions(names);
  const users = (['gateway', 'sequencer', 'persister'] as const).map((role) => {
    const password = passwords[role].startsWith('$') ? passwords[role] : JSON.stringify(passwords[role]);
    return `    { user: ${role}, password: ${password}, permissions: ${JSON.stringify(permissions[role])} }`;
  });
  return `authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}
