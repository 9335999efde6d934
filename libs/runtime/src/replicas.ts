import type { JetStreamManager } from '@nats-io/jetstream';

/** Start-up stops with this when NATS cannot keep a stream or consumer at NATS_REPLICAS copies. */
export class JetStreamReplicasError extends Error {
  readonly code = 'NATS_REPLICAS_UNAVAILABLE';

  constructor(what: string, current: number | undefined, replicas: number, cause: unknown) {
    const has = current === undefined ? 'could not be created' : `has ${current} replica(s)`;
    const reason = cause instanceof Error ? cause.message : String(cause);
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
      throw new JetStreamReplicasError(what, undefined, replicas, err);
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
    throw new JetStreamReplicasError(`JetStream stream ${stream}`, current, replicas, err);
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
    throw new JetStreamReplicasError(`JetStream consumer ${consumer}`, current, replicas, err);
  }
}
