import { basename } from 'node:path';
import type { Manifest } from './k8s-manifests.ts';
import { isRecord, readRepoFile, type JsonRecord } from './repo-files.ts';

const GENERATORS = [
  { key: 'configMapGenerator', kind: 'ConfigMap', field: 'data' },
  { key: 'secretGenerator', kind: 'Secret', field: 'stringData' },
] as const;

/** The objects of a kustomization's configMapGenerator and secretGenerator (literals, files, envs). */
export function generatedManifests(kustomization: JsonRecord, dir: string): Manifest[] {
  const file = `${dir}/kustomization.yaml`;
  return GENERATORS.flatMap(({ key, kind, field }) => {
    const entries = kustomization[key] ?? [];
    if (!Array.isArray(entries)) throw new Error(`${file}: ${key} must be a list`);
    return entries.map((entry: unknown) => {
      if (!isRecord(entry) || typeof entry['name'] !== 'string')
        throw new Error(`${file}: ${key} entry without name`);
      const data = generatedData(entry, dir, file);
      const doc = { apiVersion: 'v1', kind, metadata: { name: entry['name'] }, [field]: data };
      return { file, apiVersion: 'v1', kind, name: entry['name'], doc };
    });
  });
}

function generatedData(entry: JsonRecord, dir: string, file: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const literal of stringList(entry['literals'], file)) {
    const [name, value] = splitPair(literal, file);
    data[name] = value;
  }
  for (const source of stringList(entry['files'], file)) {
    const [name, path] = source.includes('=') ? splitPair(source, file) : [basename(source), source];
    data[name] = readRepoFile(`${dir}/${path}`);
  }
  for (const envFile of stringList(entry['envs'], file)) {
    for (const line of readRepoFile(`${dir}/${envFile}`).split('\n')) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      const [name, value] = splitPair(line, `${dir}/${envFile}`);
      data[name] = value;
    }
  }
  return data;
}

function stringList(value: unknown, file: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw new Error(`${file}: generator sources must be lists of strings`);
  return value;
}

function splitPair(text: string, file: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`${file}: '${text}' is not NAME=value`);
  return [text.slice(0, at), text.slice(at + 1)];
}
