import { Network, type StartedTestContainer } from 'testcontainers';
import { MONGO_PORT, mongoReplicaSetDefinitions, mongoUrlOf } from './mongo-container.ts';
import { startContainer } from './start-container.ts';

export interface MongoReplicaSetEndpoints {
  /** The primary's URL (direct connection). */
  readonly url: string;
  readonly members: number;
  dispose(): Promise<void>;
}

/** `members` mongo containers as one replica set, initiated, with a primary. */
export async function startMongoReplicaSet(members = 1): Promise<MongoReplicaSetEndpoints> {
  const network = await new Network().start();
  const [first, ...others] = mongoReplicaSetDefinitions(members);
  const containers: StartedTestContainer[] = [];
  const dispose = async () => {
    await Promise.all(containers.map((c) => c.stop()));
    await network.stop();
  };
  try {
    // The others must accept connections before the first one initiates the set with them.
    const secondaries = await Promise.allSettled(others.map((d) => startContainer(d, network)));
    for (const s of secondaries) if (s.status === 'fulfilled') containers.push(s.value);
    const failed = secondaries.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (first === undefined) throw new Error('a replica set needs a member');
    const primary = await startContainer(first, network);
    containers.push(primary);
    return { url: mongoUrlOf(primary.getHost(), primary.getMappedPort(MONGO_PORT)), members, dispose };
  } catch (err) {
    await dispose();
    throw new Error(`MongoDB replica set containers (${members}) did not start`, { cause: err });
  }
}
