import { busNames } from '@lfsync/contracts';
import { natsAuthorizationBlock } from '@lfsync/runtime';
import { describe, expect, test } from 'vitest';
import {
  buildSpec,
  composeSchemaErrors,
  dependsOn,
  durationMs,
  loadComposeDocument,
  serviceEnvironment,
  type ComposeFile,
  type ComposeService,
} from './compose-file.ts';
import { findStage, loadDockerfile } from './dockerfile.ts';
import { parseMongoUrl } from './mongo-url.ts';
import { isRecord } from './repo-files.ts';
import { checkServiceEnv, SERVICE_NAMES } from './service-config.ts';

const document = loadComposeDocument();

function compose(): ComposeFile {
  // Read only after the schema test below has passed on the same document.
  return document as ComposeFile;
}

function service(name: string): ComposeService {
  const s = compose().services[name];
  if (s === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

function definedEnv(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(serviceEnvironment(service(name))).filter((e): e is [string, string] => e[1] !== null),
  );
}

const isLongRunning = (s: ComposeService) => s.restart !== 'no';
const NATS_NODES = ['nats-1', 'nats-2', 'nats-3'] as const;
const MONGO_MEMBERS = ['mongo-1', 'mongo-2', 'mongo-3'] as const;

describe('docker-compose.yml', () => {
  test('conforms to the Compose Specification schema', () => {
    expect(composeSchemaErrors(document)).toEqual([]);
  });

  test('the schema check rejects unknown keys (it is not vacuous)', () => {
    const broken = structuredClone(document);
    if (!isRecord(broken) || !isRecord(broken['services'])) throw new Error('unexpected compose shape');
    const gateway = broken['services']['gateway'];
    if (!isRecord(gateway)) throw new Error('unexpected compose shape');
    gateway['helthcheck'] = { test: ['CMD', 'true'] };
    broken['servcies'] = {};
    const errors = composeSchemaErrors(broken);
    expect(errors.some((e) => e.startsWith('/services/gateway:') && e.includes('helthcheck'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/:') && e.includes('servcies'))).toBe(true);
  });

  test('brings up 3 MongoDB members, their init step, 3 NATS nodes, the three services and the proxy', () => {
    const byDefault = Object.entries(compose().services).filter(([, s]) => s.profiles === undefined);
    expect(byDefault.map(([name]) => name).sort()).toEqual(
      [...MONGO_MEMBERS, 'mongo-init', ...NATS_NODES, 'gateway', 'persister', 'proxy', 'sequencer'].sort(),
    );
  });

  test('the profile `monitoring` adds Prometheus with the alert rules and Grafana with the dashboard', () => {
    const inProfile = Object.entries(compose().services).filter(([, s]) =>
      s.profiles?.includes('monitoring'),
    );
    expect(inProfile.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    expect(compose().configs?.['alert-rules']?.file).toBe('./k8s/components/monitoring/alert-rules.yml');
    expect(compose().configs?.['grafana-dashboard']?.file).toBe(
      './k8s/components/monitoring/lfsync-dashboard.json',
    );
    const scrape = compose().configs?.['prometheus-yml']?.content ?? '';
    for (const name of SERVICE_NAMES) {
      const port = definedEnv(name)['OPS_PORT'] ?? 'none';
      expect(scrape).toContain(`job_name: ${name}`);
      expect(scrape).toContain(`names: [${name}], type: A, port: ${port} }`);
    }
    for (const [name, s] of inProfile)
      expect(
        s.ports?.every((p) => typeof p === 'string' && p.startsWith('127.0.0.1:')),
        name,
      ).toBe(true);
  });

  test('depends_on names defined services, healthy ones have a healthcheck, completed ones are one-shot', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(compose().services)) {
      for (const [dep, condition] of Object.entries(dependsOn(s))) {
        const target = compose().services[dep];
        if (target === undefined) problems.push(`${name} → ${dep}: no such service`);
        else if (condition === 'service_healthy' && target.healthcheck?.test === undefined) {
          problems.push(`${name} → ${dep}: service_healthy but ${dep} has no healthcheck`);
        } else if (condition === 'service_completed_successfully' && isLongRunning(target)) {
          problems.push(`${name} → ${dep}: waits for completion of a service that restarts`);
        }
      }
    }
    expect(problems).toEqual([]);
    const allHealthy = (names: readonly string[]) =>
      Object.fromEntries(names.map((n) => [n, 'service_healthy']));
    expect(dependsOn(service('mongo-init'))).toEqual(allHealthy(MONGO_MEMBERS));
    for (const name of ['gateway', 'persister']) {
      expect(dependsOn(service(name))).toMatchObject({
        ...allHealthy(NATS_NODES),
        'mongo-init': 'service_completed_successfully',
      });
    }
    expect(dependsOn(service('sequencer'))).toMatchObject(allHealthy(NATS_NODES));
    expect(dependsOn(service('proxy'))).toMatchObject({ gateway: 'service_healthy' });
  });

  test('every long-running service has a healthcheck; ours probe /readyz on their configured port', () => {
    const missing = Object.entries(compose().services)
      .filter(
        ([, s]) => isLongRunning(s) && (s.healthcheck?.test === undefined || s.healthcheck.disable === true),
      )
      .map(([name]) => name);
    expect(missing).toEqual([]);
    for (const name of SERVICE_NAMES) {
      const env = definedEnv(name);
      const port = env['OPS_PORT'];
      expect(JSON.stringify(service(name).healthcheck?.test)).toContain(`http://127.0.0.1:${port}/readyz`);
    }
  });

  test.each(SERVICE_NAMES)(
    '%s gets exactly the environment its config schema reads, with valid values',
    (name) => {
      const raw = serviceEnvironment(service(name));
      expect(
        Object.entries(raw)
          .filter(([, v]) => v === null || v.includes('${'))
          .map(([k]) => k),
      ).toEqual([]);
      expect(checkServiceEnv(name, definedEnv(name))).toEqual({ unknown: [], missing: [], invalid: [] });
    },
  );

  test('the environment check reports unknown, missing and invalid variables', () => {
    const env: Record<string, string> = {
      ...definedEnv('persister'),
      MONGO_WRITE_CONCERN: 'w2',
      MONGO_URI: 'mongodb://x',
    };
    delete env['NATS_URL'];
    expect(checkServiceEnv('persister', env)).toEqual({
      unknown: ['MONGO_URI'],
      missing: ['NATS_URL'],
      invalid: [expect.stringContaining('MONGO_WRITE_CONCERN')],
    });
  });

  test('services reach every NATS node and every replica set member, majority writes, dev auth', () => {
    for (const name of ['gateway', 'persister']) {
      const url = parseMongoUrl(definedEnv(name)['MONGO_URL'] ?? '');
      expect(url.params.get('replicaSet')).toBe('rs0');
      expect(url.hosts).toEqual(MONGO_MEMBERS.map((m) => `${m}:27017`));
    }
    for (const name of SERVICE_NAMES) {
      const hosts = (definedEnv(name)['NATS_URL'] ?? '').split(',').map((u) => new URL(u).hostname);
      expect(hosts).toEqual([...NATS_NODES]);
      expect(definedEnv(name)['NATS_REPLICAS']).toBe('3');
    }
    expect(definedEnv('persister')['MONGO_WRITE_CONCERN']).toBe('majority');
    expect(definedEnv('gateway')['DEV_AUTH']).toBe('true');
    expect(definedEnv('gateway')['STATIC_DIR']).toBe('/app/clients/web/dist');
  });

  test.each(SERVICE_NAMES)('%s authenticates to NATS as itself and to MongoDB as its own user', (name) => {
    const env = definedEnv(name);
    expect(env['NATS_USER']).toBe(name);
    const natsNode = service(NATS_NODES[0]);
    const passwordVariable = `${name.toUpperCase()}_NATS_PASSWORD`;
    expect(serviceEnvironment(natsNode)[passwordVariable]).toBe(env['NATS_PASSWORD']);
    const url = parseMongoUrl(env['MONGO_URL'] ?? '');
    expect(url.username).toBe(name);
    expect(url.password).not.toBe('');
    expect(JSON.stringify(service('mongo-init').command)).toContain(`user: '${name}'`);
  });

  test('the NATS config carries the per-service permissions of libs/runtime and the cluster routes', () => {
    const conf = (compose().configs?.['nats-conf']?.content ?? '').replaceAll('$$', '$');
    expect(conf).toContain(natsAuthorizationBlock(busNames('lfs')).trim().split('\n').join('\n'));
    for (const node of NATS_NODES) expect(conf).toContain(`nats://${node}:6222`);
    expect(conf).toMatch(/sync_interval: \S+/);
    expect(conf).toMatch(/lame_duck_duration: \S+/);
  });

  test('MongoDB runs as replica set rs0 with keyfile auth; the init step initiates every member', () => {
    const init = JSON.stringify(service('mongo-init').command);
    for (const member of MONGO_MEMBERS) {
      expect(service(member).command).toEqual(
        expect.arrayContaining(['--replSet', 'rs0', '--keyFile', '/tmp/keyfile']),
      );
      expect(init).toContain(`host: '${member}:27017'`);
    }
    expect(init).toContain("_id: 'rs0'");
    expect(init).toContain('isWritablePrimary');
    expect(service('mongo-init').restart).toBe('no');
  });

  test('NATS nodes run JetStream in a cluster with their store on named volumes and stop in lame-duck mode', () => {
    for (const [i, node] of NATS_NODES.entries()) {
      const nats = service(node);
      expect(nats.command).toEqual(['nats-server', '--config', '/etc/nats/nats.conf']);
      expect(nats.volumes).toContain(`nats-${i + 1}-data:/data`);
      expect(compose().volumes).toHaveProperty(`nats-${i + 1}-data`);
      expect(nats.stop_signal).toBe('SIGUSR2');
      expect(durationMs(nats.stop_grace_period ?? '10s')).toBeGreaterThan(30_000);
    }
    for (const [i, member] of MONGO_MEMBERS.entries())
      expect(service(member).volumes).toContain(`mongo-${i + 1}-data:/data/db`);
  });

  test('two gateway replicas behind the proxy, which is the only published port, on loopback', () => {
    const gateway = service('gateway');
    expect(gateway.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(gateway.ports).toBeUndefined();
    const published = Object.entries(compose().services).filter(
      ([, s]) => s.ports !== undefined && s.profiles === undefined,
    );
    expect(published.map(([name]) => name)).toEqual(['proxy']);
    expect(service('proxy').ports).toEqual(['127.0.0.1:8080:8080']);
    const caddyfile = compose().configs?.['caddyfile']?.content ?? '';
    expect(caddyfile).toMatch(/dynamic a \{\s*name gateway\s*port (\d+)/);
    expect(/port (\d+)/.exec(caddyfile)?.[1]).toBe(definedEnv('gateway')['PORT']);
    expect(service('proxy').configs).toEqual([{ source: 'caddyfile', target: '/etc/caddy/Caddyfile' }]);
  });

  test.each(SERVICE_NAMES)(
    '%s: read-only root with a writable /tmp for tsx, not root, stops within its grace period',
    (name) => {
      const s = service(name);
      expect(s.read_only).toBe(true);
      expect(s.tmpfs).toContain('/tmp');
      expect(s.user).toBeUndefined(); // the image's USER node applies
      const shutdownMs = Number(definedEnv(name)['SHUTDOWN_TIMEOUT_MS']);
      expect(durationMs(s.stop_grace_period ?? '10s')).toBeGreaterThan(shutdownMs);
    },
  );

  test.each(SERVICE_NAMES)('%s builds from a Dockerfile target for its own workspace', (name) => {
    const build = buildSpec(service(name));
    expect(build?.args['SERVICE']).toBe(name);
    const target = build?.target ?? '';
    expect(findStage(loadDockerfile(), target)).toBeDefined();
    expect(target).toBe(name === 'gateway' ? 'gateway' : 'service');
    expect(service(name).image).toBe(`lfsync/${name}:dev`);
  });
});
