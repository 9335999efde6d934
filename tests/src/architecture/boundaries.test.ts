import { describe, expect, it } from 'vitest';
import {
  forbiddenImports,
  importedSpecifiers,
  importsOf,
  sourceFiles,
  workspaceAt,
  workspacesIn,
  type Workspace,
} from './workspace-graph.ts';

const libs = workspacesIn('libs');
const services = workspacesIn('services');
const apps = workspacesIn('apps');

/** `"<workspace> → <what it must not use>"` for every violation, so a failure names them all. */
function violations(
  from: readonly Workspace[],
  forbidden: readonly Workspace[],
): { dependencies: string[]; imports: string[] } {
  const names = new Set(forbidden.map((w) => w.name));
  const dirs = forbidden.map((w) => w.dir);
  return {
    dependencies: from.flatMap((w) => w.dependsOn.filter((d) => names.has(d)).map((d) => `${w.dir} → ${d}`)),
    imports: from.flatMap((w) =>
      sourceFiles(w.dir).flatMap((file) =>
        forbiddenImports(file, names, dirs).map((specifier) => `${file} → ${specifier}`),
      ),
    ),
  };
}

describe('package boundaries', () => {
  it('finds the workspaces it guards', () => {
    expect(libs.map((w) => w.name)).toEqual(
      expect.arrayContaining(['@lfsync/contracts', '@lfsync/ports', '@lfsync/embedded']),
    );
    expect(services.map((w) => w.name)).toEqual(
      expect.arrayContaining(['@lfsync/gateway', '@lfsync/sequencer', '@lfsync/persister']),
    );
    expect(apps.map((w) => w.name)).toContain('@lfsync/server');
  });

  it('no library depends on or imports a service or an app', () => {
    expect(violations(libs, [...services, ...apps])).toEqual({ dependencies: [], imports: [] });
  });

  it('only the system tests and the root use an app: no library, service, client or benchmark', () => {
    const users = [...libs, ...services, ...workspacesIn('clients'), workspaceAt('bench')];
    expect(violations(users, apps)).toEqual({ dependencies: [], imports: [] });
  });

  it('ports depend on the contracts only', () => {
    const ports = libs.filter((w) => w.name === '@lfsync/ports');
    expect(ports.flatMap((w) => w.dependsOn)).toEqual(['@lfsync/contracts']);
    const outside = ports
      .flatMap((w) => sourceFiles(w.dir))
      .filter((file) => !file.endsWith('.test.ts'))
      .flatMap((file) => importsOf(file).map((specifier) => `${file} → ${specifier}`))
      .filter((edge) => !/ → (@lfsync\/contracts|\.\/[^/]+)$/.test(edge));
    expect(outside).toEqual([]);
  });
});

describe('importedSpecifiers', () => {
  it('sees static, type-only, side-effect, re-export and dynamic imports', () => {
    const text = [
      "import { a } from '@lfsync/gateway';",
      "import type { B } from '../../services/x/src/y.ts';",
      "import 'side-effect';",
      "export { c } from './c.ts';",
      "const d = await import('@lfsync/server');",
      'import {\n  e,\n  f,\n} from "multi-line";',
    ].join('\n');
    expect(importedSpecifiers(text).sort()).toEqual(
      [
        '@lfsync/gateway',
        '../../services/x/src/y.ts',
        'side-effect',
        './c.ts',
        '@lfsync/server',
        'multi-line',
      ].sort(),
    );
  });
});
