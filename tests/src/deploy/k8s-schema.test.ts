import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  K8S_DIR,
  kindKey,
  loadKustomization,
  loadManifests,
  schemaErrors,
  type Manifest,
} from './k8s-manifests.ts';
import { strictFieldErrors } from './k8s-strict-types.ts';
import { isRecord, repoPath } from './repo-files.ts';

const manifests = loadManifests();

function mutated(kind: string, mutate: (podSpec: Record<string, unknown>) => void): Manifest {
  const original = manifests.find((m) => m.kind === kind);
  if (original === undefined) throw new Error(`no ${kind} to mutate`);
  const copy = structuredClone(original);
  const template = isRecord(copy.doc['spec']) ? copy.doc['spec']['template'] : undefined;
  const podSpec = isRecord(template) ? template['spec'] : undefined;
  if (!isRecord(podSpec)) throw new Error(`${kind} without a pod spec`);
  mutate(podSpec);
  return copy;
}

describe('k8s/ kustomize base', () => {
  test('lists every manifest file in k8s/ exactly once and sets the namespace', () => {
    const kustomization = loadKustomization();
    const files = readdirSync(repoPath(K8S_DIR)).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(new Set(kustomization.resources).size).toBe(kustomization.resources.length);
    expect(kustomization.namespace).toBe('lfsync');
    const namespaces = manifests.filter((m) => m.kind === 'Namespace').map((m) => m.name);
    expect(namespaces).toEqual([kustomization.namespace]);
  });

  test('has the objects the system needs', () => {
    expect(manifests.map((m) => `${kindKey(m)} ${m.name}`).sort()).toEqual(
      [
        'v1/Namespace lfsync',
        'v1/ConfigMap lfsync-bus',
        'v1/ConfigMap lfsync-mongo',
        'v1/ConfigMap gateway',
        'v1/ConfigMap sequencer',
        'v1/ConfigMap persister',
        'v1/Secret gateway',
        'v1/Secret gateway-jwt',
        'v1/Secret sequencer',
        'v1/Secret persister',
        'v1/Secret nats-users',
        'v1/Secret mongo-admin',
        'v1/Secret mongo-keyfile',
        'v1/ConfigMap nats-config',
        'networking.k8s.io/v1/NetworkPolicy nats',
        'networking.k8s.io/v1/NetworkPolicy mongo',
        'policy/v1/PodDisruptionBudget nats',
        'policy/v1/PodDisruptionBudget mongo',
        'apps/v1/Deployment gateway',
        'apps/v1/Deployment sequencer',
        'apps/v1/Deployment persister',
        'v1/Service gateway',
        'v1/Service gateway-ops',
        'v1/Service sequencer',
        'v1/Service persister',
        'autoscaling/v2/HorizontalPodAutoscaler gateway',
        'policy/v1/PodDisruptionBudget gateway',
        'policy/v1/PodDisruptionBudget sequencer',
        'policy/v1/PodDisruptionBudget persister',
        'apps/v1/StatefulSet nats',
        'v1/Service nats',
        'v1/Service nats-headless',
        'apps/v1/StatefulSet mongo',
        'v1/Service mongo',
        'batch/v1/Job mongo-init',
      ].sort(),
    );
  });

  test('object names are unique per kind, and namespaces are left to kustomize', () => {
    const keys = manifests.map((m) => `${m.kind}/${m.name}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const withNamespace = manifests.filter(
      (m) => isRecord(m.doc['metadata']) && 'namespace' in m.doc['metadata'],
    );
    expect(withNamespace.map((m) => m.name)).toEqual([]);
  });

  test('every object conforms to its Kubernetes OpenAPI schema', () => {
    expect(manifests.flatMap(schemaErrors)).toEqual([]);
  });

  test('no object has a field its kind does not define (strict field validation)', () => {
    expect(strictFieldErrors(manifests)).toEqual([]);
  }, 60_000);

  test('the validators catch broken manifests (they are not vacuous)', () => {
    const wrongType = mutated('Deployment', (pod) => {
      pod['terminationGracePeriodSeconds'] = 'forty';
    });
    expect(schemaErrors(wrongType).join('\n')).toContain('terminationGracePeriodSeconds must be integer');

    const unknownFields = mutated('StatefulSet', (pod) => {
      pod['securityContext'] = { runAsNonRot: true };
      const containers = pod['containers'];
      if (Array.isArray(containers) && isRecord(containers[0])) containers[0]['readinesProbe'] = {};
    });
    // The OpenAPI schemas allow unknown fields; only the strict check reports them.
    expect(schemaErrors(unknownFields)).toEqual([]);
    const strict = strictFieldErrors([unknownFields]).join('\n');
    expect(strict).toContain("'\"runAsNonRot\"' does not exist in type 'IPodSecurityContext'");
    expect(strict).toContain("'\"readinesProbe\"' does not exist in type 'IContainer'");
  }, 60_000);
});
