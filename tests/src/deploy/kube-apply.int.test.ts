import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gatewayConfigSchema } from '@lfsync/gateway';
import { runKubectl, startKubeApiServer, type KubeApiServer } from '@lfsync/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderedManifests } from './kube-rendered.ts';
import { containerEnv, deployments } from './k8s-manifests.ts';
import { readRepoFile, repoPath } from './repo-files.ts';

// The base and every overlay, applied in this order (each later one updates what the earlier stored).
const TARGETS = ['k8s', 'k8s/overlays/public-key', 'k8s/overlays/jwks'];

let kube: KubeApiServer;

async function render(dir: string): Promise<string> {
  const result = await runKubectl(['kustomize', repoPath(dir)]);
  if (result.code !== 0) throw new Error(`kubectl kustomize ${dir}: ${result.stderr}`);
  return result.stdout;
}

async function apply(yaml: string, ...flags: string[]) {
  return kube.kubectl(['apply', '--warnings-as-errors', ...flags, '-f', '-'], yaml);
}

function gatewayEnv(yaml: string) {
  const manifests = renderedManifests(yaml);
  const container = deployments(manifests).find((d) => d.name === 'gateway')?.typed.spec?.template.spec
    ?.containers[0];
  if (container === undefined) throw new Error('no gateway container');
  return containerEnv(manifests, container);
}

beforeAll(async () => {
  kube = await startKubeApiServer();
  // The Prometheus Operator's CRDs, which the monitoring component needs, as a cluster would have them.
  const crds = await kube.kubectl([
    'apply',
    '-f',
    repoPath('tests/src/deploy/crds/monitoring.coreos.com.yaml'),
  ]);
  expect(crds.stderr).toBe('');
  await kube.kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd', '--all']);
  // A server-side dry run does not create the namespace, so the namespaced objects need it first.
  const namespace = await kube.kubectl(['apply', '-f', repoPath('k8s/base/namespace.yaml')]);
  expect(namespace.code, namespace.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await kube?.dispose();
});

describe('k8s/ applied to a real kube-apiserver v1.34 (strict fields, PodSecurity restricted)', () => {
  test.each(TARGETS)(
    '%s: server-side dry run with warnings as errors, then applied for real',
    async (dir) => {
      const yaml = await render(dir);
      const dryRun = await apply(yaml, '--dry-run=server');
      expect(dryRun.stderr).toBe('');
      expect(dryRun.code).toBe(0);
      const applied = await apply(yaml);
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      const stored = await kube.kubectl([
        'get',
        'deployments,statefulsets,services,hpa,pdb',
        '-n',
        'lfsync',
        '-o',
        'name',
      ]);
      expect(stored.stdout).toContain('deployment.apps/gateway');
      expect(stored.stdout).toContain('horizontalpodautoscaler.autoscaling/gateway');
    },
  );

  test('the overlays store the monitoring objects and the Ingress', async () => {
    const got = await kube.kubectl([
      'get',
      'prometheusrules,servicemonitors,ingress',
      '-n',
      'lfsync',
      '-o',
      'name',
    ]);
    expect(got.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'ingress.networking.k8s.io/gateway',
      'prometheusrule.monitoring.coreos.com/lfsync',
      'servicemonitor.monitoring.coreos.com/lfsync',
    ]);
  });

  test('the check fails on an unknown field and on a pod template that breaks PodSecurity restricted', async () => {
    const yaml = await render('k8s');
    const misspelt = await apply(
      yaml.replace('revisionHistoryLimit:', 'revisionHistoryLimt:'),
      '--dry-run=server',
    );
    expect(misspelt.code).not.toBe(0);
    expect(misspelt.stderr).toMatch(/unknown field "spec.revisionHistoryLimt"/);
    const privileged = await apply(
      yaml.replaceAll('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'),
      '--dry-run=server',
    );
    expect(privileged.code).not.toBe(0);
    expect(privileged.stderr).toMatch(/restricted/);
  });

  test('each overlay gives the gateway exactly one token key source it accepts', async () => {
    const base = gatewayConfigSchema.safeParse(gatewayEnv(await render('k8s')).values);
    // By design: the base's placeholder secret is too short, so an unconfigured gateway does not start.
    expect(base.success).toBe(false);
    for (const [dir, source] of [
      ['k8s/overlays/public-key', 'JWT_PUBLIC_KEY'],
      ['k8s/overlays/jwks', 'JWT_JWKS_URL'],
    ] as const) {
      const parsed = gatewayConfigSchema.parse(gatewayEnv(await render(dir)).values);
      const sources = (['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'] as const).filter(
        (k) => parsed[k] !== undefined,
      );
      expect(sources, dir).toEqual([source]);
    }
    const pem = gatewayConfigSchema.parse(
      gatewayEnv(await render('k8s/overlays/public-key')).values,
    ).JWT_PUBLIC_KEY;
    expect(pem).toBe(readRepoFile('k8s/overlays/public-key/public-key.pem'));
  });

  test('a changed setting renames its generated ConfigMap, so the pods that read it roll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lfs-overlay-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        [
          // kustomize takes only relative paths to another kustomization.
          'resources: [' + JSON.stringify(relative(dir, repoPath('k8s'))) + ']',
          'configMapGenerator:',
          '  - { name: lfsync-bus, behavior: merge, literals: [LOG_LEVEL=debug] }',
        ].join('\n'),
      );
      const refs = (yaml: string) =>
        deployments(renderedManifests(yaml)).map((d) =>
          (d.typed.spec?.template.spec?.containers[0]?.envFrom ?? []).map(
            (s) => s.configMapRef?.name ?? s.secretRef?.name,
          ),
        );
      const before = refs(await render('k8s')).flat();
      const after = refs((await runKubectl(['kustomize', dir])).stdout).flat();
      const changed = before.filter((name, i) => name !== after[i]);
      expect(changed.length).toBeGreaterThanOrEqual(3);
      expect(changed.every((name) => name?.startsWith('lfsync-bus-'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
