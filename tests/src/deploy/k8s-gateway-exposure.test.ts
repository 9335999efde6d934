import { gatewayConfigSchema } from '@lfsync/gateway';
import { describe, expect, test } from 'vitest';
import { containerEnv, deployments, hpas, loadManifests, services } from './k8s-manifests.ts';
import { isRecord, parseYaml, readRepoFile } from './repo-files.ts';

const manifests = loadManifests();
const gateway = deployments(manifests).find((d) => d.name === 'gateway');
const container = gateway?.typed.spec?.template.spec?.containers[0];
const config = gatewayConfigSchema.parse({
  ...containerEnv(manifests, container ?? { name: 'none' }).values,
  JWT_SECRET: 'x'.repeat(32),
});
const ingress = parseYaml(readRepoFile('k8s/components/ingress/ingress.yaml'), 'ingress.yaml') as {
  metadata: { annotations: Record<string, string> };
  spec: {
    rules: Array<{
      http: { paths: Array<{ backend: { service: { name: string; port: { name: string } } } }> };
    }>;
  };
};

/** Per subscribed session, as the bench measured it (docs/deploy.md, Sizing). */
const SESSION_BYTES = 53 * 1024;
const PROCESS_BYTES = 128 * 1024 * 1024;

function bytes(quantity: string | number | undefined): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
  if (match === null) throw new Error(`unexpected memory quantity ${String(quantity)}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 ** 3 : 1024 ** 2);
}

describe('k8s/ the gateway towards clients', () => {
  test('the ops endpoints are on OPS_PORT, which the client-facing Service does not carry', () => {
    expect(config.OPS_PORT).toBe(9090);
    expect(config.OPS_PORT).not.toBe(config.PORT);
    const pub = services(manifests).find((s) => s.name === 'gateway');
    const targets = pub?.typed.spec?.ports?.map((p) => p.targetPort);
    expect(targets).toEqual(['http']);
    expect(container?.ports?.find((p) => p.name === 'http')?.containerPort).toBe(config.PORT);
    const ops = services(manifests).find((s) => s.name === 'gateway-ops');
    expect(ops?.typed.spec?.ports?.map((p) => p.targetPort)).toEqual(['ops']);
  });

  test('the Ingress routes only the public port and keeps idle WebSockets open past the heartbeat', () => {
    const backends = ingress.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service));
    expect(backends).toEqual([{ name: 'gateway', port: { name: 'http' } }]);
    const annotations = ingress.metadata.annotations;
    for (const key of ['proxy-read-timeout', 'proxy-send-timeout']) {
      const seconds = Number(annotations[`nginx.ingress.kubernetes.io/${key}`]);
      expect(seconds * 1000, key).toBeGreaterThan(config.PING_INTERVAL_MS * 2);
    }
    const component = parseYaml(
      readRepoFile('k8s/components/ingress/kustomization.yaml'),
      'ingress kustomization',
    );
    expect(JSON.stringify(isRecord(component) ? component['configMapGenerator'] : '')).toContain(
      'TRUSTED_PROXIES=',
    );
  });

  test('MAX_CONNECTIONS fits the memory limit, and the HPA scales on memory before the cap', () => {
    const limit = bytes(container?.resources?.limits?.['memory']);
    expect(bytes(container?.resources?.requests?.['memory'])).toBe(limit);
    expect(PROCESS_BYTES + config.MAX_CONNECTIONS * SESSION_BYTES).toBeLessThanOrEqual(limit);
    expect(config.MAX_CONNECTIONS).toBeGreaterThanOrEqual(((limit - PROCESS_BYTES) * 0.7) / SESSION_BYTES);
    const metrics = hpas(manifests).find((h) => h.name === 'gateway')?.typed.spec?.metrics ?? [];
    expect(metrics.map((m) => m.resource?.name)).toEqual(['memory']);
    const utilisation = (metrics[0]?.resource?.target.averageUtilization ?? 100) / 100;
    expect(PROCESS_BYTES + config.MAX_CONNECTIONS * SESSION_BYTES).toBeGreaterThan(limit * utilisation);
  });
});
