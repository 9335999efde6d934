/**
 * `npm run measure:index`: the sequencer's event-id index on a 3-node NATS cluster (R3), read the way the
 * sequencer reads it: per repository, look up a group of ids (fresh ones and some indexed in the round
 * before), then index the fresh ones. Reports ids looked up (and indexed) per second, the mean look-up time, where look-ups were answered
 * (a replica, a stale replica asked again, the leader) and re-pushed ids the look-up missed (must be 0).
 * Then look-ups alone for as long again. Runs once connected to the bucket's leader and once to a follower. Flags: --duration-s 10,
 * --repositories 8, --ids 50.
 */
import { parseArgs } from 'node:util';
import { busNames } from '@lfsync/contracts';
import { KvEventIndex } from '@lfsync/sequencer';
import { startNatsCluster, uniqueName, type NatsCluster } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';

const { values } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: '10' },
    repositories: { type: 'string', default: '8' },
    ids: { type: 'string', default: '50' },
  },
});
const durationMs = Number(values['duration-s']) * 1000;
const idsPerRound = Number(values.ids);

async function run(cluster: NatsCluster, node: number, prefix: string) {
  const nc = await connect({ servers: cluster.nodes[node]?.url ?? cluster.url });
  try {
    const names = busNames(prefix);
    const index = await KvEventIndex.open(nc, names, 3);
    let lookedUp = 0;
    let missed = 0;
    let lookUpMs = 0;
    const end = Date.now() + durationMs;
    await Promise.all(
      Array.from({ length: Number(values.repositories) }, async (_, r) => {
        const repository = `r${r}`;
        let sequence = 0;
        let previous: string[] = [];
        for (let round = 0; Date.now() < end; round++) {
          const fresh = Array.from({ length: idsPerRound }, (_, i) => `${repository}-${round}-${i}`);
          const again = previous.slice(0, 5);
          const startedAt = performance.now();
          const known = await index.getMany(repository, [...again, ...fresh]);
          lookUpMs += performance.now() - startedAt;
          lookedUp += again.length + fresh.length;
          missed += again.filter((id) => !known.has(id)).length;
          await index.putMany(
            repository,
            fresh.map((id) => [id, ++sequence] as const),
          );
          previous = fresh;
        }
      }),
    );
    const readOnly = await lookUpsOnly(index, end);
    return {
      idsPerSec: Math.round(lookedUp / (durationMs / 1000)),
      lookUpMs: lookUpMs / Math.max(1, index.reads.replica + index.reads.leader),
      readOnlyIdsPerSec: Math.round(readOnly / (durationMs / 1000)),
      missed,
      reads: { ...index.reads },
    };
  } finally {
    await nc.close();
  }
}

/** Then, for as long again, only look-ups (half of the ids indexed above), as many in parallel as repositories. */
async function lookUpsOnly(index: KvEventIndex, startAt: number): Promise<number> {
  let lookedUp = 0;
  const end = Math.max(startAt, Date.now()) + durationMs;
  await Promise.all(
    Array.from({ length: Number(values.repositories) }, async (_, r) => {
      for (let round = 0; Date.now() < end; round++) {
        const ids = Array.from({ length: idsPerRound }, (_, i) => `r${r}-${round % 20}-${i * 2}`);
        await index.getMany(`r${r}`, ids);
        lookedUp += ids.length;
      }
    }),
  );
  return lookedUp;
}

const cluster = await startNatsCluster(3);
try {
  const prefix = uniqueName('IDX').toUpperCase();
  const warm = await connect({ servers: cluster.url.split(',') });
  await KvEventIndex.open(warm, busNames(prefix), 3);
  await warm.close();
  const leader = (await cluster.streamLeader(`KV_${busNames(prefix).eventIndexBucket}`)) ?? 0;
  const follower = (leader + 1) % 3;
  console.log(
    '| connected to | ids looked up and indexed/s | mean look-up | look-ups: replica / stale / leader | re-pushed ids missed | ids looked up/s (no writes) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const [role, node] of [
    ['leader', leader],
    ['follower', follower],
  ] as const) {
    const result = await run(cluster, node, prefix);
    const { replica, stale, leader: fromLeader } = result.reads;
    console.log(
      `| ${role} | ${result.idsPerSec} | ${result.lookUpMs.toFixed(1)} ms | ${replica} / ${stale} / ${fromLeader} | ${result.missed} | ${result.readOnlyIdsPerSec} |`,
    );
  }
} finally {
  await cluster.dispose();
}
process.exit(0);
