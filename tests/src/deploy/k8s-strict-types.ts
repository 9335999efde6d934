import { join } from 'node:path';
import ts from 'typescript';
import { isKnownKind, kindKey, KINDS, label, type Manifest } from './k8s-manifests.ts';
import { repoPath } from './repo-files.ts';

/**
 * Unknown fields, checked the way the API server's strict field validation does.
 *
 * The Kubernetes OpenAPI schemas do not forbid unknown properties, so schema validation passes a
 * misspelt `readinesProbe` or `runAsNonRot` (and kubectl would then reject it, or an older
 * server silently drop it). The kubernetes-models package also ships the same schemas as
 * TypeScript interfaces: each manifest becomes an object literal typed with its kind's interface,
 * and the compiler's excess-property check reports every field the schema does not define, at any
 * depth, along with type mismatches.
 */
export function strictFieldErrors(manifests: readonly Manifest[]): string[] {
  // Virtual files beside this one, so `kubernetes-models` resolves from the tests workspace.
  const dir = repoPath('tests/src/deploy');
  const sources = new Map<string, { manifest: Manifest; text: string }>();
  const errors: string[] = [];
  manifests.forEach((manifest, i) => {
    const key = kindKey(manifest);
    if (!isKnownKind(key)) {
      errors.push(`${label(manifest)}: no type registered for ${key}`);
      return;
    }
    const { module, type } = KINDS[key];
    const text =
      `import type { ${type} } from 'kubernetes-models/${module}';\n` +
      `export const manifest: ${type} = ${JSON.stringify(manifest.doc, null, 2)};\n`;
    sources.set(join(dir, `__strict_manifest_${i}.ts`), { manifest, text });
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const virtual = sources.get(fileName);
    return virtual === undefined
      ? getSourceFile(fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, virtual.text, languageVersion, true);
  };
  host.fileExists = (fileName) => sources.has(fileName) || fileExists(fileName);
  host.readFile = (fileName) => sources.get(fileName)?.text ?? readFile(fileName);

  const program = ts.createProgram([...sources.keys()], options, host);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file;
    const virtual = file === undefined ? undefined : sources.get(file.fileName);
    const where =
      virtual === undefined || file === undefined || diagnostic.start === undefined
        ? (file?.fileName ?? 'program')
        : `${label(virtual.manifest)} (generated line ${file.getLineAndCharacterOfPosition(diagnostic.start).line + 1})`;
    errors.push(`${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
  }
  return errors;
}
