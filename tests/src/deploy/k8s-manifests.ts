import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import {
  PodDisruptionBudget,
  type IPodDisruptionBudget,
} from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { generatedManifests } from './kustomize-generators.ts';
import { isRecord, parseYaml, parseYamlDocuments, readRepoFile, type JsonRecord } from './repo-files.ts';

export const K8S_DIR = 'k8s/base';

export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  doc: JsonRecord;
}

export function label(m: Pick<Manifest, 'file' | 'kind' | 'name'>): string {
  return `${m.file} ${m.kind}/${m.name}`;
}

/**
 * The kinds the base uses, each with the kubernetes-models class whose `validate()` runs the
 * Kubernetes OpenAPI schema (compiled with ajv) and the TypeScript interface of the same schema.
 */
export const KINDS = {
  'v1/Namespace': {
    validate: (d: JsonRecord) => new Namespace(d).validate(),
    module: 'v1/Namespace',
    type: 'INamespace',
  },
  'v1/ConfigMap': {
    validate: (d: JsonRecord) => new ConfigMap(d).validate(),
    module: 'v1/ConfigMap',
    type: 'IConfigMap',
  },
  'v1/Secret': {
    validate: (d: JsonRecord) => new Secret(d).validate(),
    module: 'v1/Secret',
    type: 'ISecret',
  },
  'v1/Service': {
    validate: (d: JsonRecord) => new Service(d).validate(),
    module: 'v1/Service',
    type: 'IService',
  },
  'apps/v1/Deployment': {
    validate: (d: JsonRecord) => new Deployment(d).validate(),
    module: 'apps/v1/Deployment',
    type: 'IDeployment',
  },
  'apps/v1/StatefulSet': {
    validate: (d: JsonRecord) => new StatefulSet(d).validate(),
    module: 'apps/v1/StatefulSet',
    type: 'IStatefulSet',
  },
  'batch/v1/Job': {
    validate: (d: JsonRecord) => new Job(d).validate(),
    module: 'batch/v1/Job',
    type: 'IJob',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    validate: (d: JsonRecord) => new HorizontalPodAutoscaler(d).validate(),
    module: 'autoscaling/v2/HorizontalPodAutoscaler',
    type: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    validate: (d: JsonRecord) => new NetworkPolicy(d).validate(),
    module: 'networking.k8s.io/v1/NetworkPolicy',
    type: 'INetworkPolicy',
  },
  'policy/v1/PodDisruptionBudget': {
    validate: (d: JsonRecord) => new PodDisruptionBudget(d).validate(),
    module: 'policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
} as const;
export type KindKey = keyof typeof KINDS;

export function kindKey(m: Pick<Manifest, 'apiVersion' | 'kind'>): string {
  return `${m.apiVersion}/${m.kind}`;
}

export function isKnownKind(key: string): key is KindKey {
  return key in KINDS;
}

export interface Kustomization {
  namespace?: string;
  resources: string[];
  generated: Manifest[];
}

export function loadKustomization(): Kustomization {
  const doc = parseYaml(readRepoFile(`${K8S_DIR}/kustomization.yaml`), `${K8S_DIR}/kustomization.yaml`);
  if (!isRecord(doc)) throw new Error('kustomization.yaml: not a mapping');
  const resources = doc['resources'];
  if (!Array.isArray(resources) || !resources.every((r): r is string => typeof r === 'string')) {
    throw new Error('kustomization.yaml: resources must be a list of paths');
  }
  const namespace = doc['namespace'];
  const generated = generatedManifests(doc, K8S_DIR);
  return typeof namespace === 'string' ? { namespace, resources, generated } : { resources, generated };
}

/**
 * Every object of every resource file the kustomization lists, in order, then the ConfigMaps and
 * Secrets its generators make (named without kustomize's hash suffix, which the references get too).
 */
export function loadManifests(): Manifest[] {
  const kustomization = loadKustomization();
  const listed = kustomization.resources.flatMap((resource) => {
    const file = `${K8S_DIR}/${resource}`;
    return parseYamlDocuments(readRepoFile(file), file).map((doc, i) => {
      if (!isRecord(doc)) throw new Error(`${file}#${i}: not a mapping`);
      const metadata = doc['metadata'];
      const name = isRecord(metadata) && typeof metadata['name'] === 'string' ? metadata['name'] : `#${i}`;
      return { file, apiVersion: String(doc['apiVersion']), kind: String(doc['kind']), name, doc };
    });
  });
  return [...listed, ...kustomization.generated];
}

export function schemaErrors(m: Manifest): string[] {
  const key = kindKey(m);
  if (!isKnownKind(key)) return [`${label(m)}: no schema registered for ${key}`];
  try {
    KINDS[key].validate(m.doc);
    return [];
  } catch (err) {
    return [`${label(m)}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

function byKind<T>(
  manifests: readonly Manifest[],
  apiVersion: string,
  kind: string,
): Array<Manifest & { typed: T }> {
  // Only called after schemaErrors() passed for every manifest: the shape is the schema's.
  return manifests
    .filter((m) => m.apiVersion === apiVersion && m.kind === kind)
    .map((m) => ({ ...m, typed: m.doc as T }));
}

export const deployments = (ms: readonly Manifest[]) => byKind<IDeployment>(ms, 'apps/v1', 'Deployment');
export const statefulSets = (ms: readonly Manifest[]) => byKind<IStatefulSet>(ms, 'apps/v1', 'StatefulSet');
export const jobs = (ms: readonly Manifest[]) => byKind<IJob>(ms, 'batch/v1', 'Job');
export const services = (ms: readonly Manifest[]) => byKind<IService>(ms, 'v1', 'Service');
export const configMaps = (ms: readonly Manifest[]) => byKind<IConfigMap>(ms, 'v1', 'ConfigMap');
export const secrets = (ms: readonly Manifest[]) => byKind<ISecret>(ms, 'v1', 'Secret');
export const hpas = (ms: readonly Manifest[]) =>
  byKind<IHorizontalPodAutoscaler>(ms, 'autoscaling/v2', 'HorizontalPodAutoscaler');
export const networkPolicies = (ms: readonly Manifest[]) =>
  byKind<INetworkPolicy>(ms, 'networking.k8s.io/v1', 'NetworkPolicy');
export const pdbs = (ms: readonly Manifest[]) =>
  byKind<IPodDisruptionBudget>(ms, 'policy/v1', 'PodDisruptionBudget');

export interface PodTemplate {
  owner: string;
  labels: Record<string, string>;
  spec: IPodSpec;
}

/** The pod template of every workload (Deployment, StatefulSet, Job). */
export function podTemplates(ms: readonly Manifest[]): PodTemplate[] {
  return [...deployments(ms), ...statefulSets(ms), ...jobs(ms)].map((w) => {
    const template = w.typed.spec?.template;
    if (template?.spec === undefined) throw new Error(`${label(w)}: no pod template spec`);
    return { owner: label(w), labels: template.metadata?.labels ?? {}, spec: template.spec };
  });
}

export function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export interface ContainerEnv {
  /** Name → value; `undefined` where the value comes from a fieldRef or similar. */
  values: Record<string, string | undefined>;
  /** Names set by more than one source (precedence then decides silently). */
  duplicates: string[];
  /** ConfigMaps/Secrets referenced but not defined in the manifests. */
  dangling: string[];
}

/** The environment a container gets from envFrom ConfigMaps/Secrets and env entries. */
export function containerEnv(ms: readonly Manifest[], container: IContainer): ContainerEnv {
  const values: Record<string, string | undefined> = {};
  const duplicates: string[] = [];
  const dangling: string[] = [];
  const set = (name: string, value: string | undefined) => {
    if (name in values) duplicates.push(name);
    values[name] = value;
  };
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    if (source.configMapRef !== undefined) {
      const cm = configMaps(ms).find((c) => c.name === source.configMapRef?.name);
      if (cm === undefined) dangling.push(`ConfigMap/${source.configMapRef.name}`);
      for (const [k, v] of Object.entries(cm?.typed.data ?? {})) set(prefix + k, v);
    }
    if (source.secretRef !== undefined) {
      const secret = secrets(ms).find((s) => s.name === source.secretRef?.name);
      if (secret === undefined) dangling.push(`Secret/${source.secretRef.name}`);
      for (const [k, v] of Object.entries(secret?.typed.data ?? {}))
        set(prefix + k, Buffer.from(v, 'base64').toString('utf8'));
      for (const [k, v] of Object.entries(secret?.typed.stringData ?? {})) set(prefix + k, v);
    }
  }
  for (const entry of container.env ?? []) set(entry.name, entry.value);
  return { values, duplicates, dangling };
}
