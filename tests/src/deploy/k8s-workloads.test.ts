import { busNames } from '@lfsync/contracts';
import { natsAuthorizationBlock } from '@lfsync/runtime';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { describe, expect, test } from 'vitest';
import {
  K8S_DIR,
  configMaps,
  containerEnv,
  deployments,
  hpas,
  jobs,
  label,
  loadManifests,
  networkPolicies,
  pdbs,
  podTemplates,
  secrets,
  selectorMatches,
  services,
  statefulSets,
} from './k8s-manifests.ts';
import { parseMongoUrl } from './mongo-url.ts';
import { checkServiceEnv, isServiceName, SERVICE_NAMES, type ServiceName } from './service-config.ts';

const manifests = loadManifests();

function natsConf(): string {
  return configMaps(manifests).find((c) => c.name === 'nats-config')?.typed.data?.['nats.conf'] ?? '';
}

function deployment(name: ServiceName) {
  const d = deployments(manifests).find((m) => m.name === name);
  if (d === undefined) throw new Error(`no Deployment ${name}`);
  return d;
}

function podSpec(name: ServiceName) {
  const spec = deployment(name).typed.spec?.template.spec;
  if (spec === undefined) throw new Error(`Deployment ${name} has no pod spec`);
  return spec;
}

function mainContainer(name: ServiceName): IContainer {
  const container = podSpec(name).containers.find((c) => c.name === name);
  if (container === undefined) throw new Error(`Deployment ${name} has no container ${name}`);
  return container;
}

function definedEnv(name: ServiceName): Record<string, string> {
  const { values } = containerEnv(manifests, mainContainer(name));
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The container port a probe or Service names (by number or by port name). */
function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function httpProbe(
  probe: IProbe | undefined,
): { path: string | undefined; port: number | string } | undefined {
  return probe?.httpGet === undefined ? undefined : { path: probe.httpGet.path, port: probe.httpGet.port };
}

const OPS_PORT_VARIABLE: Record<ServiceName, string> = {
  gateway: 'OPS_PORT',
  sequencer: 'OPS_PORT',
  persister: 'OPS_PORT',
};

describe('k8s/ services', () => {
  test('runs exactly the three services as Deployments', () => {
    expect(
      deployments(manifests)
        .map((d) => d.name)
        .sort(),
    ).toEqual([...SERVICE_NAMES].sort());
  });

  test.each(SERVICE_NAMES)(
    '%s: env from ConfigMaps, Secret and env matches its config schema exactly',
    (name) => {
      const env = containerEnv(manifests, mainContainer(name));
      expect(env.dangling).toEqual([]);
      expect(env.duplicates).toEqual([]);
      const report = checkServiceEnv(name, definedEnv(name));
      expect(report.unknown).toEqual([]);
      expect(report.missing).toEqual([]);
      if (name === 'gateway') {
        // The base ships a placeholder secret that the schema rejects, so an un-configured gateway
        // fails fast instead of trusting a published key; a real secret passes.
        expect(report.invalid).toEqual(['JWT_SECRET: JWT_SECRET must be at least 32 characters']);
        const configured = { ...definedEnv(name), JWT_SECRET: 'x'.repeat(48) };
        expect(checkServiceEnv(name, configured).invalid).toEqual([]);
      } else {
        expect(report.invalid).toEqual([]);
      }
    },
  );

  test('each service takes its credentials from its own Secret; every ConfigMap is read whole by a service', () => {
    for (const name of SERVICE_NAMES) {
      const secretRefs = (mainContainer(name).envFrom ?? []).flatMap((s) => s.secretRef?.name ?? []);
      // The gateway's token key source is a Secret of its own, which the JWKS and public-key overlays replace.
      expect(secretRefs).toEqual(name === 'gateway' ? ['gateway', 'gateway-jwt'] : [name]);
      const secret = secrets(manifests).find((s) => s.name === name);
      const keys = Object.keys(secret?.typed.stringData ?? secret?.typed.data ?? {}).sort();
      const expected = {
        gateway: ['MONGO_URL', 'NATS_PASSWORD'],
        sequencer: ['MONGO_URL', 'NATS_PASSWORD'],
        persister: ['MONGO_URL', 'NATS_PASSWORD'],
      };
      expect(keys).toEqual(expected[name]);
      expect(definedEnv(name)['NATS_USER']).toBe(name);
    }
    const serviceConfigMaps = configMaps(manifests).filter((c) => c.name !== 'nats-config');
    const referenced = new Set(
      SERVICE_NAMES.flatMap((name) => (mainContainer(name).envFrom ?? []).map((s) => s.configMapRef?.name)),
    );
    expect(serviceConfigMaps.map((c) => c.name).filter((n) => !referenced.has(n))).toEqual([]);
  });

  test('no credential sits in a ConfigMap', () => {
    const problems = configMaps(manifests).flatMap((c) =>
      Object.entries(c.typed.data ?? {}).flatMap(([key, value]) => {
        const found: string[] = [];
        if (/PASSWORD|SECRET|KEY$|TOKEN/.test(key)) found.push(`${c.name}: key ${key}`);
        if (/mongodb:\/\/[^/@]+@/.test(value)) found.push(`${c.name}: ${key} holds a URL with credentials`);
        // nats.conf may only refer to passwords through $VARIABLES resolved from the Secret.
        if (/password:\s*(?!\$)\S/.test(value)) found.push(`${c.name}: ${key} holds a literal password`);
        return found;
      }),
    );
    expect(problems).toEqual([]);
  });

  test('MONGO_URL names every replica set member the init Job initiates, NATS_URL a NATS Service', () => {
    const mongoUrl = parseMongoUrl(definedEnv('persister')['MONGO_URL'] ?? '');
    expect(mongoUrl.params.get('replicaSet')).toBe('rs0');
    expect(mongoUrl.username).toBe('persister');
    expect(parseMongoUrl(definedEnv('gateway')['MONGO_URL'] ?? '').username).toBe('gateway');
    expect(parseMongoUrl(definedEnv('gateway')['MONGO_URL'] ?? '').hosts).toEqual(mongoUrl.hosts);
    const mongo = statefulSets(manifests).find((s) => s.name === 'mongo');
    const replicas = mongo?.typed.spec?.replicas ?? 1;
    expect(replicas).toBe(3);
    const members = Array.from(
      { length: replicas },
      (_, i) => `${mongo?.name ?? ''}-${i}.${mongo?.typed.spec?.serviceName ?? ''}:27017`,
    );
    expect(mongoUrl.hosts).toEqual(members);
    const init = JSON.stringify(
      jobs(manifests).find((j) => j.name === 'mongo-init')?.typed.spec?.template.spec?.containers,
    );
    for (const member of members) expect(init).toContain(`host: '${member}'`);
    expect(init).toContain("_id: 'rs0'");
    for (const user of ['gateway', 'persister']) expect(init).toContain(`user: '${user}'`);

    const natsUrl = new URL(definedEnv('sequencer')['NATS_URL'] ?? '');
    const natsService = services(manifests).find((s) => s.name === natsUrl.hostname);
    expect(natsService?.typed.spec?.ports?.map((p) => p.port)).toContain(Number(natsUrl.port));
    expect(definedEnv('persister')['MONGO_WRITE_CONCERN']).toBe('majority');
    expect(definedEnv('gateway')['DEV_AUTH']).toBe('false');
    for (const name of SERVICE_NAMES) expect(definedEnv(name)['NATS_REPLICAS']).toBe('3');
  });

  test.each(SERVICE_NAMES)(
    '%s: readiness /readyz, liveness /healthz, on the port its config listens on',
    (name) => {
      const container = mainContainer(name);
      const port = Number(definedEnv(name)[OPS_PORT_VARIABLE[name]]);
      const readiness = httpProbe(container.readinessProbe);
      const liveness = httpProbe(container.livenessProbe);
      expect(readiness?.path).toBe('/readyz');
      expect(liveness?.path).toBe('/healthz');
      expect(resolvePort(container, readiness?.port)).toBe(port);
      expect(resolvePort(container, liveness?.port)).toBe(port);
      expect(container.startupProbe).toBeDefined();
      const publicPort = name === 'gateway' ? [Number(definedEnv(name)['PORT'])] : [];
      expect(container.ports?.map((p) => p.containerPort)).toEqual([...publicPort, port]);
      expect(deployment(name).typed.spec?.template.metadata?.annotations?.['prometheus.io/port']).toBe(
        String(port),
      );
    },
  );

  test.each(SERVICE_NAMES)('%s: shuts down inside its grace period', (name) => {
    const grace = podSpec(name).terminationGracePeriodSeconds ?? 30;
    const preStop = mainContainer(name).lifecycle?.preStop?.sleep?.seconds ?? 0;
    const shutdownS = Number(definedEnv(name)['SHUTDOWN_TIMEOUT_MS']) / 1000;
    expect(preStop + shutdownS).toBeLessThan(grace);
  });

  test.each(SERVICE_NAMES)(
    '%s: read-only root filesystem with an emptyDir at /tmp (tsx needs it)',
    (name) => {
      const container = mainContainer(name);
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      const mount = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
      const volume = podSpec(name).volumes?.find((v) => v.name === mount?.name);
      expect(volume?.emptyDir).toBeDefined();
    },
  );

  test.each(SERVICE_NAMES)('%s: image lfsync/%s with an explicit tag', (name) => {
    expect(mainContainer(name).image).toMatch(new RegExp(`^lfsync/${name}:[\\w.-]+$`));
    expect(mainContainer(name).image?.endsWith(':latest')).toBe(false);
  });
});

describe('k8s/ gateway scaling and draining', () => {
  test('drains WebSockets on SIGTERM: preStop sleep before the 1001 closes', () => {
    const seconds = mainContainer('gateway').lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(seconds).toBeGreaterThanOrEqual(5);
    expect(podSpec('gateway').terminationGracePeriodSeconds).toBeGreaterThan(seconds);
  });

  test('a HorizontalPodAutoscaler owns the replica count (min 2) and scales down gently', () => {
    const hpa = hpas(manifests).find((h) => h.name === 'gateway');
    expect(hpa?.typed.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'gateway',
    });
    expect(hpa?.typed.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa?.typed.spec?.maxReplicas).toBeGreaterThan(hpa?.typed.spec?.minReplicas ?? 0);
    expect(hpa?.typed.spec?.metrics?.length).toBeGreaterThan(0);
    expect(hpa?.typed.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
    // A replicas field would fight the autoscaler on every apply.
    expect(deployment('gateway').typed.spec?.replicas).toBeUndefined();
    // Utilization targets are relative to requests.
    expect(mainContainer('gateway').resources?.requests?.['cpu']).toBeDefined();
  });

  test('a PodDisruptionBudget covers the gateway pods', () => {
    const pdb = pdbs(manifests).find((p) => p.name === 'gateway');
    const labels = deployment('gateway').typed.spec?.template.metadata?.labels ?? {};
    expect(selectorMatches(pdb?.typed.spec?.selector?.matchLabels, labels)).toBe(true);
    expect(pdb?.typed.spec?.maxUnavailable ?? pdb?.typed.spec?.minAvailable).toBeDefined();
  });

  test('rolling updates never drop below the current gateway count', () => {
    expect(deployment('gateway').typed.spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
  });

  test('the gateway Service balances without session affinity', () => {
    const service = services(manifests).find((s) => s.name === 'gateway');
    expect(service?.typed.spec?.sessionAffinity ?? 'None').toBe('None');
  });
});

describe('k8s/ every workload', () => {
  test('every Deployment container has requests, limits and readiness + liveness probes', () => {
    const problems = deployments(manifests).flatMap((d) =>
      (d.typed.spec?.template.spec?.containers ?? []).flatMap((c) => {
        const where = `${label(d)} ${c.name}`;
        const missing = [];
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) {
            if (c.resources?.[kind]?.[resource] === undefined) missing.push(`${where}: ${kind}.${resource}`);
          }
        }
        if (c.readinessProbe === undefined) missing.push(`${where}: readinessProbe`);
        if (c.livenessProbe === undefined) missing.push(`${where}: livenessProbe`);
        return missing;
      }),
    );
    expect(problems).toEqual([]);
  });

  test('every pod runs non-root under the restricted Pod Security Standard', () => {
    const problems = podTemplates(manifests).flatMap(({ owner, spec }) => {
      const pod = spec.securityContext;
      const found: string[] = [];
      if (pod?.runAsNonRoot !== true) found.push(`${owner}: runAsNonRoot`);
      // A numeric user lets the kubelet verify non-root even where the image names its USER.
      if (pod?.runAsUser === undefined || pod.runAsUser === 0) found.push(`${owner}: runAsUser`);
      if (pod?.seccompProfile?.type !== 'RuntimeDefault') found.push(`${owner}: seccompProfile`);
      if (spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true)
        found.push(`${owner}: host namespaces`);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const sc = c.securityContext;
        if (sc?.allowPrivilegeEscalation !== false)
          found.push(`${owner} ${c.name}: allowPrivilegeEscalation`);
        if (!(sc?.capabilities?.drop ?? []).includes('ALL'))
          found.push(`${owner} ${c.name}: capabilities.drop ALL`);
        if (sc?.privileged === true || sc?.runAsUser === 0)
          found.push(`${owner} ${c.name}: root or privileged`);
        if (c.resources?.limits?.['memory'] === undefined) found.push(`${owner} ${c.name}: memory limit`);
      }
      return found;
    });
    expect(problems).toEqual([]);
    const namespace = manifests.find((m) => m.kind === 'Namespace');
    expect(JSON.stringify(namespace?.doc)).toContain('"pod-security.kubernetes.io/enforce":"restricted"');
  });

  test('every Service selects pods of a workload and targets a port that workload declares', () => {
    const templates = podTemplates(manifests);
    const problems = services(manifests).flatMap((s) => {
      const selected = templates.filter((t) => selectorMatches(s.typed.spec?.selector, t.labels));
      if (selected.length !== 1) return [`${label(s)}: selects ${selected.length} workloads`];
      const containers = selected[0]?.spec.containers ?? [];
      return (s.typed.spec?.ports ?? [])
        .filter((p) => !containers.some((c) => resolvePort(c, p.targetPort ?? p.port) !== undefined))
        .map((p) => `${label(s)}: port ${p.name ?? p.port} has no matching container port`);
    });
    expect(problems).toEqual([]);
  });

  test('every Deployment and StatefulSet selector matches its own pod template', () => {
    const workloads = [...deployments(manifests), ...statefulSets(manifests)];
    const problems = workloads
      .filter(
        (w) =>
          !selectorMatches(w.typed.spec?.selector.matchLabels, w.typed.spec?.template.metadata?.labels ?? {}),
      )
      .map(label);
    expect(problems).toEqual([]);
  });

  test('only services named after our workspaces run our images', () => {
    const ours = podTemplates(manifests).flatMap(({ owner, spec }) =>
      spec.containers.filter((c) => c.image?.startsWith('lfsync/') === true).map((c) => `${owner}:${c.name}`),
    );
    expect(ours.sort()).toEqual(SERVICE_NAMES.map((n) => `${K8S_DIR}/${n}.yaml Deployment/${n}:${n}`).sort());
    expect(deployments(manifests).every((d) => isServiceName(d.name))).toBe(true);
  });
});

describe('k8s/ NATS and MongoDB', () => {
  test('NATS: a StatefulSet with JetStream on a PersistentVolumeClaim, behind a headless Service', () => {
    const nats = statefulSets(manifests).find((s) => s.name === 'nats');
    const container = nats?.typed.spec?.template.spec?.containers[0];
    expect(container?.args).toEqual(['--config', '/etc/nats/nats.conf']);
    expect(natsConf()).toMatch(/jetstream \{\s*store_dir: \/data/);
    const claim = nats?.typed.spec?.volumeClaimTemplates?.[0];
    expect(container?.volumeMounts).toContainEqual({ name: claim?.metadata?.name, mountPath: '/data' });
    expect(claim?.spec?.resources?.requests?.['storage']).toBeDefined();
    const headless = services(manifests).find((s) => s.name === nats?.typed.spec?.serviceName);
    expect(headless?.typed.spec?.clusterIP).toBe('None');
    expect(httpProbe(container?.readinessProbe)?.path).toContain('/healthz');
    expect(httpProbe(container?.livenessProbe)?.path).toContain('/healthz');
  });

  test('MongoDB: a StatefulSet with a data PVC and a headless Service, initiated by a retrying Job', () => {
    const mongo = statefulSets(manifests).find((s) => s.name === 'mongo');
    const container = mongo?.typed.spec?.template.spec?.containers[0];
    const claim = mongo?.typed.spec?.volumeClaimTemplates?.[0];
    expect(container?.volumeMounts).toContainEqual({ name: claim?.metadata?.name, mountPath: '/data/db' });
    const headless = services(manifests).find((s) => s.name === mongo?.typed.spec?.serviceName);
    expect(headless?.typed.spec?.clusterIP).toBe('None');
    // rs.initiate must resolve the member's own name before the pod is ready.
    expect(headless?.typed.spec?.publishNotReadyAddresses).toBe(true);
    expect(container?.readinessProbe).toBeDefined();
    expect(container?.livenessProbe).toBeDefined();
    const init = jobs(manifests).find((j) => j.name === 'mongo-init');
    expect(init?.typed.spec?.backoffLimit).toBeGreaterThan(0);
    expect(init?.typed.spec?.template.spec?.restartPolicy).toBe('OnFailure');
    expect(JSON.stringify(init?.typed.spec?.template.spec?.containers)).toContain('NotYetInitialized');
  });
});

describe('k8s/ high availability and isolation', () => {
  const podLabels = (name: string) =>
    podTemplates(manifests).find((t) => t.owner.endsWith(`/${name}`))?.labels ?? {};

  test.each(['nats', 'mongo'])('%s: 3 replicas, one per host, a PDB keeping a quorum of 2', (name) => {
    const set = statefulSets(manifests).find((s) => s.name === name);
    expect(set?.typed.spec?.replicas).toBe(3);
    const antiAffinity =
      set?.typed.spec?.template.spec?.affinity?.podAntiAffinity
        ?.requiredDuringSchedulingIgnoredDuringExecution;
    expect(antiAffinity?.[0]?.topologyKey).toBe('kubernetes.io/hostname');
    expect(selectorMatches(antiAffinity?.[0]?.labelSelector?.matchLabels, podLabels(name))).toBe(true);
    const pdb = pdbs(manifests).find((p) => p.name === name);
    expect(pdb?.typed.spec?.minAvailable).toBe(2);
    expect(selectorMatches(pdb?.typed.spec?.selector?.matchLabels, podLabels(name))).toBe(true);
  });

  test('NATS: cluster routes to every pod, lame-duck preStop inside the grace period, sync_interval chosen', () => {
    const nats = statefulSets(manifests).find((s) => s.name === 'nats');
    const spec = nats?.typed.spec?.template.spec;
    const container = spec?.containers[0];
    for (let i = 0; i < 3; i++) expect(natsConf()).toContain(`nats://nats-${i}.nats-headless:6222`);
    expect(container?.lifecycle?.preStop?.exec?.command).toEqual(
      expect.arrayContaining(['nats-server', '--signal', 'ldm=/var/run/nats/nats.pid']),
    );
    expect(natsConf()).toContain('pid_file: /var/run/nats/nats.pid');
    const lameDuckS = Number(/lame_duck_duration: (\d+)s/.exec(natsConf())?.[1]);
    const graceS = Number(/lame_duck_grace_period: (\d+)s/.exec(natsConf())?.[1]);
    expect(lameDuckS + graceS).toBeLessThan(spec?.terminationGracePeriodSeconds ?? 30);
    expect(natsConf()).toMatch(/sync_interval: \S+/);
    expect(nats?.typed.spec?.podManagementPolicy).toBe('Parallel');
  });

  test('NATS: the authorization block is the per-service permissions of libs/runtime, passwords from a Secret', () => {
    expect(natsConf()).toContain(natsAuthorizationBlock(busNames('lfs')).trim());
    const container = statefulSets(manifests).find((s) => s.name === 'nats')?.typed.spec?.template.spec
      ?.containers[0];
    const fromSecret = containerEnv(manifests, container ?? { name: 'nats' }).values;
    for (const role of SERVICE_NAMES) {
      const serverSide = fromSecret[`${role.toUpperCase()}_NATS_PASSWORD`];
      expect(serverSide).toBeDefined();
      expect(definedEnv(role)['NATS_PASSWORD']).toBe(serverSide);
    }
  });

  test.each([
    ['nats', 4222, ['gateway', 'sequencer', 'persister']],
    ['mongo', 27017, ['gateway', 'sequencer', 'persister', 'mongo-init', 'mongo']],
  ] as const)('a NetworkPolicy lets only our pods reach %s on %d', (name, port, allowed) => {
    const policy = networkPolicies(manifests).find((p) =>
      selectorMatches(p.typed.spec?.podSelector.matchLabels, podLabels(name)),
    );
    expect(policy?.typed.spec?.policyTypes).toEqual(['Ingress']);
    const rules = policy?.typed.spec?.ingress ?? [];
    const rule = rules.find((r) => r.ports?.some((p) => p.port === port));
    const peers = (rule?.from ?? []).map((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name']);
    expect(peers.sort()).toEqual([...allowed].sort());
    expect(
      (rule?.from ?? []).every((peer) => peer.namespaceSelector === undefined && peer.ipBlock === undefined),
    ).toBe(true);
    if (name === 'nats') {
      const routes = rules.find((r) => r.ports?.some((p) => p.port === 6222));
      expect(routes?.from?.map((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'])).toEqual([
        'nats',
      ]);
    }
  });

  test('MongoDB members authenticate each other with a keyfile from a Secret, private to mongod', () => {
    const mongo = statefulSets(manifests).find((s) => s.name === 'mongo')?.typed.spec?.template.spec;
    expect(JSON.stringify(mongo?.containers[0]?.command)).toContain('--keyFile /keyfile/keyfile');
    expect(JSON.stringify(mongo?.initContainers?.[0]?.command)).toContain('install -m 0400');
    expect(mongo?.volumes?.find((v) => v.name === 'keyfile-secret')?.secret?.secretName).toBe(
      'mongo-keyfile',
    );
  });
});
