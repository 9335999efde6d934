import type { TestProject } from 'vitest/node';
import { testServersConfig } from './test-servers-config.ts';
import { startTestServers } from './test-servers.ts';

/**
 * Starts the real servers once per test run and hands them to the tests through `inject('natsUrl')`,
 * `inject('mongoUrl')` and `inject('mongoWriteConcern')`. NATS_URL / MONGO_URL name servers of your own;
 * TEST_SERVERS (auto | local | containers) picks local binaries or Docker containers for the rest.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startTestServers(testServersConfig(process.env));
  if (servers.kind === 'containers') process.stdout.write(`test servers: ${servers.describe()}\n`);
  project.provide('natsUrl', servers.natsUrl);
  project.provide('mongoUrl', servers.mongoUrl);
  project.provide('mongoWriteConcern', servers.mongoWriteConcern);
  project.provide('testServers', servers.kind);
  return () => servers.dispose();
}
