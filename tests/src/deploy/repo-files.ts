import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument } from 'yaml';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function repoPath(path: string): string {
  return resolve(REPO_ROOT, path);
}

export function repoFileExists(path: string): boolean {
  return existsSync(repoPath(path));
}

export function readRepoFile(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

// Merge keys (`<<: *anchor`) are resolved as Compose resolves them.
const YAML_OPTIONS = { merge: true } as const;

export function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS();
}

/** Every non-empty document of a multi-document YAML file. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const docs = [];
  for (const doc of parseAllDocuments(text, YAML_OPTIONS)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) docs.push(value);
  }
  return docs;
}
