import { readdirSync } from 'node:fs';
import dockerignore from '@balena/dockerignore';
import { describe, expect, test } from 'vitest';
import { isRecord, readRepoFile, repoPath } from './repo-files.ts';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const lock = JSON.parse(readRepoFile('package-lock.json')) as { packages: Record<string, unknown> };
/** The workspace folders package-lock.json records (`npm ci` refuses a lockfile whose workspaces are missing). */
const workspaces = Object.entries(lock.packages)
  .filter(([path, entry]) => path !== '' && !path.includes('node_modules') && isRecord(entry))
  .map(([path]) => path);
// Its types declare an ES default export, but the package is CommonJS (`module.exports = factory`).
const ignore = dockerignore as unknown as typeof dockerignore.default;
const context = ignore().add(readRepoFile('.dockerignore'));
const manifest = (dir: string) => JSON.parse(readRepoFile(`${dir}/package.json`)) as PackageJson;
const byName = new Map(workspaces.map((dir) => [manifest(dir).name, dir]));

/** The workspace packages an image of `service` runs: the service and every workspace it depends on. */
function imageWorkspaces(service: string): string[] {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const dep of Object.keys(manifest(dir).dependencies ?? {})) {
      const child = byName.get(dep);
      if (child !== undefined) visit(child);
    }
  };
  visit(`services/${service}`);
  return [...seen];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(repoPath(`${dir}/src`), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `${dir}/src/${f}`);
}

function importedPackages(file: string): string[] {
  const specifiers = [...readRepoFile(file).matchAll(/\bfrom '([^'.][^']*)'/g)].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s)));
}

describe('the Docker build context', () => {
  test('keeps the manifest of every workspace package-lock.json lists', () => {
    expect(workspaces.length).toBeGreaterThanOrEqual(10);
    expect(workspaces.filter((dir) => context.ignores(`${dir}/package.json`))).toEqual([]);
    expect(context.ignores('package-lock.json')).toBe(false);
  });

  test.each(['gateway', 'sequencer', 'persister'])(
    '%s image: every package its code imports is a production dependency of the importing workspace',
    (service) => {
      const problems = imageWorkspaces(service).flatMap((dir) => {
        const declared = new Set(Object.keys(manifest(dir).dependencies ?? {}));
        return sourceFiles(dir).flatMap((file) => {
          if (context.ignores(file)) return [`${file}: left out of the build context`];
          return importedPackages(file)
            .filter((pkg) => !declared.has(pkg))
            .map((pkg) => `${file}: imports ${pkg}, not in ${dir}'s dependencies`);
        });
      });
      expect(problems).toEqual([]);
    },
  );
});
