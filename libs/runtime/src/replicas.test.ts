import { describe, expect, it } from 'vitest';
import { creatingWithReplicas, JetStreamPeerOfflineError, JetStreamReplicasError } from './replicas.ts';

const refusing = (message: string) => () => Promise.reject(new Error(message));

describe('creatingWithReplicas', () => {
  it('stops start-up when NATS has too few servers for the replica count', async () => {
    const err = await creatingWithReplicas('stream S', 3, refusing('insufficient resources')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JetStreamReplicasError);
    expect((err as JetStreamReplicasError).code).toBe('NATS_REPLICAS_UNAVAILABLE');
  });

  it('waits when the servers are there but a peer is offline', async () => {
    const message = 'no suitable peers for placement, peer offline';
    const err = await creatingWithReplicas('stream S', 3, refusing(message)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamPeerOfflineError);
    expect((err as JetStreamPeerOfflineError).code).toBe('NATS_PEER_OFFLINE');
    expect(String(err)).toMatch(/stream S needs 3 JetStream servers online .*peer offline.*waiting/);
  });

  it('stops start-up when a peer is offline and NATS gives another reason too', async () => {
    const message = 'no suitable peers for placement, peer offline, insufficient storage';
    const err = await creatingWithReplicas('stream S', 3, refusing(message)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JetStreamReplicasError);
  });

  it('passes other failures and single-copy refusals through unchanged', async () => {
    const timeout = new Error('timeout');
    await expect(creatingWithReplicas('stream S', 3, () => Promise.reject(timeout))).rejects.toBe(timeout);
    const refused = new Error('insufficient resources');
    await expect(creatingWithReplicas('stream S', 1, () => Promise.reject(refused))).rejects.toBe(refused);
  });
});
