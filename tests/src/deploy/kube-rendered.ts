import type { Manifest } from './k8s-manifests.ts';
import { isRecord, parseYamlDocuments } from './repo-files.ts';

/** The objects of `kubectl kustomize` output, as the offline checks see manifest files. */
export function renderedManifests(yaml: string): Manifest[] {
  return parseYamlDocuments(yaml, 'kustomize output').map((doc, i) => {
    if (!isRecord(doc)) throw new Error(`kustomize output #${i}: not a mapping`);
    const metadata = doc['metadata'];
    const name = isRecord(metadata) && typeof metadata['name'] === 'string' ? metadata['name'] : `#${i}`;
    return {
      file: 'kustomize output',
      apiVersion: String(doc['apiVersion']),
      kind: String(doc['kind']),
      name,
      doc,
    };
  });
}
