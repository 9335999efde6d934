import { describe, expect, it } from 'vitest';
import { chooseTestServers, mongoWriteConcernFor, testServersConfig } from './test-servers-config.ts';

const runtime = { available: true, description: '/var/run/docker.sock' } as const;
const noRuntime = {
  available: false,
  reason: 'Could not find a working container runtime strategy',
} as const;

describe('test server settings', () => {
  it('defaults: auto, a single-member replica set, three NATS nodes', () => {
    expect(testServersConfig({})).toEqual({
      TEST_SERVERS: 'auto',
      TEST_MONGO_MEMBERS: 1,
      TEST_NATS_NODES: 3,
    });
    expect(testServersConfig({ TEST_SERVERS: 'containers', TEST_MONGO_MEMBERS: '3' })).toMatchObject({
      TEST_SERVERS: 'containers',
      TEST_MONGO_MEMBERS: 3,
    });
  });

  it('rejects unknown values with the variable named', () => {
    expect(() => testServersConfig({ TEST_SERVERS: 'docker' })).toThrow(/TEST_SERVERS/);
    expect(() => testServersConfig({ TEST_MONGO_MEMBERS: 'three' })).toThrow(/TEST_MONGO_MEMBERS/);
    expect(() => testServersConfig({ MONGO_WRITE_CONCERN: 'w2' })).toThrow(/MONGO_WRITE_CONCERN/);
  });

  it('auto uses containers when a runtime is reachable and the local binaries otherwise', () => {
    expect(chooseTestServers('auto', runtime)).toBe('containers');
    expect(chooseTestServers('auto', noRuntime)).toBe('local');
    expect(chooseTestServers('local', runtime)).toBe('local');
  });

  it('containers without a runtime is an error that says why and what to do', () => {
    expect(chooseTestServers('containers', runtime)).toBe('containers');
    expect(() => chooseTestServers('containers', noRuntime)).toThrow(
      /no container runtime is reachable \(Could not find.*\).*TEST_SERVERS=local/,
    );
  });

  it('majority on the containers replica set, 1 on FerretDB, as told for a MONGO_URL of your own', () => {
    expect(mongoWriteConcernFor('containers', {})).toBe('majority');
    expect(mongoWriteConcernFor('local', {})).toBe(1);
    expect(mongoWriteConcernFor('url', {})).toBe(1);
    expect(mongoWriteConcernFor('url', { MONGO_WRITE_CONCERN: 'majority' })).toBe('majority');
  });
});
