import type { JetStreamManager } from '@nats-io/jetstream';

/** Start-up stops with this when NATS cannot keep a stream or consumer at NATS_REPLICAS copies. */
export class JetStreamReplicasError extends Error {
  readonly code = 'NATS_REPLICAS_UNAVAILABLE';

  constructor(what: string, current: number | undefined, replicas: number, cause: unknown) {
    const has = current === undefined ? 'could not be created' : `has ${current} replica(s)`;
    const reason = errorMessage(cause);
    super(
      `${what} ${has} and NATS_REPLICAS=${replicas} asks for ${replicas}, but NATS refused (${reason}). ` +
        `Fix: point NATS_URL at a JetStream cluster of at least ${replicas} servers, ` +
        (current === undefined
          ? `or set NATS_REPLICAS=1 for a single server.`
          : `or scale it by hand (nats stream edit / nats consumer edit --replicas ${replicas}), ` +
            `or set NATS_REPLICAS=${current}.`),
      { cause },
    );
    this.name = 'JetStreamReplicasError';
  }
}

/**
 * Thrown instead of a JetStreamReplicasError when NATS refused a placement only because a peer is offline
 * (a node restarting, or one the meta leader has not heard from yet): the cluster is big enough, so the
 * start-up step is retried until the peer is back rather than stopped.
 */
export class JetStreamPeerOfflineError extends Error {
  readonly code = 'NATS_PEER_OFFLINE';

  constructor(what: string, replicas: number, cause: unknown) {
    super(
      `${what} needs ${replicas} JetStream servers online (NATS_REPLICAS=${replicas}) and NATS reports one ` +
        `offline (${errorMessage(cause)}); waiting for it to come back. If it will not, remove it from the ` +
        `cluster (nats server raft peer-remove) or lower NATS_REPLICAS.`,
      { cause },
    );
    this.name = 'JetStreamPeerOfflineError';
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whether a refusal to place `replicas` copies is for good (too few servers) or until a peer returns. */
function replicaRefusal(what: string, current: number | undefined, replicas: number, err: unknown): Error {
  // Only when that is the one reason NATS gives: it lists them all ("…, peer offline, insufficient storage").
  if (/placement, peer offline$/i.test(errorMessage(err)))
    return new JetStreamPeerOfflineError(what, replicas, err);
  return new JetStreamReplicasError(what, current, replicas, err);
}

/** Runs a create step; a refusal caused by the replica count becomes a JetStreamReplicasError. */
export async function creatingWithReplicas<T>(
  what: string,
  replicas: number,
  create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if (replicas > 1 && /replica|cluster|insufficient resources|peers/i.test(String(err)))
      throw replicaRefusal(what, undefined, replicas, err);
    throw err;
  }
}

/**
 * Scales an existing stream up to `replicas` copies (JetStream allows updating `num_replicas`; its
 * consumers that inherit the count follow). Never scales down: a stream kept on more servers by an
 * operator stays so.
 */
export async function ensureReplicas(jsm: JetStreamManager, stream: string, replicas: number): Promise<void> {
  const info = await jsm.streams.info(stream);
  const current = Math.max(1, info.config.num_replicas);
  if (current >= replicas) return;
  try {
    // A single server takes the new count without complaint, and keeps one copy.
    if (info.cluster?.name === undefined) throw new Error('this NATS server is not part of a cluster');
    await jsm.streams.update(stream, { ...info.config, num_replicas: replicas });
  } catch (err) {
    throw replicaRefusal(`JetStream stream ${stream}`, current, replicas, err);
  }
}

/** The same for a durable consumer created with an explicit replica count. */
export async function ensureConsumerReplicas(
  jsm: JetStreamManager,
  stream: string,
  consumer: string,
  replicas: number,
): Promise<void> {
  const info = await jsm.consumers.info(stream, consumer);
  const current = info.config.num_replicas ?? 0;
  // 0 means "as many as the stream", which ensureReplicas has already raised.
  if (current === 0 || current >= replicas) return;
  try {
    if (info.cluster?.name === undefined) throw new Error('this NATS server is not part of a cluster');
    await jsm.consumers.update(stream, consumer, { num_replicas: replicas });
  } catch (err) {
    throw replicaRefusal(`JetStream consumer ${consumer}`, current, replicas, err);
  }
}
