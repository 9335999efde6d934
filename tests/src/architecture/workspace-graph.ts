import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface Workspace {
  /** Path from the repository root, e.g. `libs/ports`. */
  readonly dir: string;
  readonly name: string;
  /** Every package it declares a dependency on (dependencies, devDependencies, peerDependencies). */
  readonly dependsOn: readonly string[];
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The workspaces directly under `group` (`libs`, `services`, `apps`, …) that have a package.json. */
export function workspacesIn(group: string): Workspace[] {
  const base = join(REPO_ROOT, group);
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => workspaceAt(`${group}/${entry.name}`));
}

/** The workspace whose package.json is in `dir` (a path from the repository root). */
export function workspaceAt(dir: string): Workspace {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson;
  const dependsOn = [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].flatMap((deps) =>
    Object.keys(deps ?? {}),
  );
  return { dir, name: pkg.name ?? dir, dependsOn };
}

/** Every TypeScript file under `<dir>/src`, as paths from the repository root. */
export function sourceFiles(dir: string): string[] {
  const src = join(REPO_ROOT, dir, 'src');
  if (!existsSync(src)) return [];
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.split(/[\\/]/).includes('node_modules'))
    .map((file) => relative(REPO_ROOT, join(src, file)));
}

const SPECIFIER_PATTERNS = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The module specifiers a source text imports or re-exports (static, side-effect and dynamic imports). */
export function importedSpecifiers(text: string): string[] {
  return SPECIFIER_PATTERNS.flatMap((pattern) => Array.from(text.matchAll(pattern), (m) => m[1] ?? ''));
}

/** The module specifiers `file` (a path from the repository root) imports. */
export function importsOf(file: string): string[] {
  return importedSpecifiers(readFileSync(join(REPO_ROOT, file), 'utf8'));
}

/** What `file` imports that resolves into one of `dirs` (a relative path) or names one of `packages`. */
export function forbiddenImports(
  file: string,
  packages: ReadonlySet<string>,
  dirs: readonly string[],
): string[] {
  return importsOf(file).filter((specifier) => {
    const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier;
    if (packages.has(packageName)) return true;
    if (!specifier.startsWith('.')) return false;
    const target = relative(REPO_ROOT, resolve(REPO_ROOT, file, '..', specifier));
    return dirs.some((dir) => target === dir || target.startsWith(`${dir}/`));
  });
}
