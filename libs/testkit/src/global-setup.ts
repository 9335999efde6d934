import type { TestProject } from 'vitest/node';
import { startFerretDb, startNatsServer, type RunningServer } from './servers.ts';

/**
 * Starts the real servers once per test run (or uses NATS_URL / MONGO_URL when set) and hands their
 * URLs to the tests through `inject('natsUrl')` / `inject('mongoUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: RunningServer[] = [];
  let natsUrl = process.env['NATS_URL'];
  if (natsUrl === undefined) {
    const nats = await startNatsServer();
    started.push(nats);
    natsUrl = nats.url;
  }
  let mongoUrl = process.env['MONGO_URL'];
  if (mongoUrl === undefined) {
    const ferret = await startFerretDb();
    started.push(ferret);
    mongoUrl = ferret.url;
  }
  project.provide('natsUrl', natsUrl);
  project.provide('mongoUrl', mongoUrl);
  return async () => {
    await Promise.all(started.map((s) => s.dispose()));
  };
}
