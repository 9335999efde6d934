/**
 * `npm run chaos`: the long crash test. Flags: --duration-s, --clients, --repositories, --fault-every-ms,
 * --seed, --log-dir, --only (e.g. persister,nats), --log-level; --nats-cluster N (a cluster of N nodes,
 * partitions where network namespaces work), --sequencers N, --persisters N.
 */
import { parseArgs } from 'node:util';
import { formatReport, runChaos, type ChaosOptions } from './chaos-run.ts';
import { chooseClusterNetwork } from './partition-support.ts';

const { values } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: '180' },
    clients: { type: 'string', default: '10' },
    repositories: { type: 'string', default: '4' },
    'fault-every-ms': { type: 'string', default: '2000' },
    'push-every-ms': { type: 'string', default: '50' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'log-dir': { type: 'string' },
    only: { type: 'string' },
    'log-level': { type: 'string' },
    'nats-cluster': { type: 'string' },
    sequencers: { type: 'string', default: '1' },
    persisters: { type: 'string', default: '1' },
  },
});
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
const clusterSize = values['nats-cluster'] === undefined ? undefined : Number(values['nats-cluster']);
const options: ChaosOptions = {
  durationMs: Number(values['duration-s']) * 1000,
  clients: Number(values.clients),
  repositories: Number(values.repositories),
  faultEveryMs: Number(values['fault-every-ms']),
  pushEveryMs: Number(values['push-every-ms']),
  seed: Number(values.seed),
  sequencers: Number(values.sequencers),
  persisters: Number(values.persisters),
  ...(clusterSize === undefined
    ? {}
    : { natsCluster: { size: clusterSize, network: chooseClusterNetwork(log) } }),
  ...(values['log-dir'] === undefined ? {} : { logDir: values['log-dir'] }),
  ...(values.only === undefined ? {} : { only: values.only.split(',') }),
  ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] }),
  log,
};
const report = await runChaos(options);
console.log(formatReport(report, options));
process.exit(report.violations.length === 0 && report.acked === report.pushed ? 0 : 1);
