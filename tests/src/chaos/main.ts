/** `npm run chaos`: the long crash test. Flags: --duration-s, --clients, --repositories, --fault-every-ms, --seed, --log-dir, --only (e.g. persister,nats), --log-level. */
import { parseArgs } from 'node:util';
import { formatReport, runChaos, type ChaosOptions } from './chaos-run.ts';

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
  },
});
const options: ChaosOptions = {
  durationMs: Number(values['duration-s']) * 1000,
  clients: Number(values.clients),
  repositories: Number(values.repositories),
  faultEveryMs: Number(values['fault-every-ms']),
  pushEveryMs: Number(values['push-every-ms']),
  seed: Number(values.seed),
  ...(values['log-dir'] === undefined ? {} : { logDir: values['log-dir'] }),
  ...(values.only === undefined ? {} : { only: values.only.split(',') }),
  ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] }),
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
};
const report = await runChaos(options);
console.log(formatReport(report, options));
process.exit(report.violations.length === 0 && report.acked === report.pushed ? 0 : 1);
