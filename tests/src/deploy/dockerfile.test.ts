import { serviceNodeFlags } from '@lfsync/testkit';
import { describe, expect, test } from 'vitest';
import {
  baseImage,
  effectiveInstruction,
  findStage,
  loadDockerfile,
  parseDockerfile,
  type Stage,
} from './dockerfile.ts';
import { readRepoFile, repoFileExists } from './repo-files.ts';
import { SERVICE_NAMES } from './service-config.ts';

const dockerfile = loadDockerfile();

function stage(name: string): Stage {
  const s = findStage(dockerfile, name);
  if (s === undefined) throw new Error(`Dockerfile has no stage ${name}`);
  return s;
}

const RUNTIME_TARGETS = ['service', 'gateway'];

describe('Dockerfile', () => {
  test('the reader follows stages, continuations and inherited instructions', () => {
    const file = parseDockerfile(
      [
        'ARG IMG=node:24-slim',
        'FROM ${IMG} AS a',
        'USER node',
        'RUN echo \\',
        '  done',
        'FROM a AS b',
        'CMD ["x"]',
      ].join('\n'),
    );
    const b = findStage(file, 'b');
    if (b === undefined) throw new Error('stage b missing');
    expect(baseImage(file, b)).toBe('node:24-slim');
    expect(effectiveInstruction(file, b, 'USER')).toBe('node');
    expect(findStage(file, 'a')?.instructions.map((i) => i.args)).toEqual(['node', 'echo    done']);
  });

  test('builds on a current Node LTS slim image', () => {
    const image = baseImage(dockerfile, stage('service'));
    const match = /^node:(\d+)-(?:bookworm-|trixie-)?slim$/.exec(image);
    expect(match, image).not.toBeNull();
    const major = Number(match?.[1]);
    expect(major % 2).toBe(0); // only even majors become LTS
    expect(major).toBeGreaterThanOrEqual(22);
  });

  test.each(RUNTIME_TARGETS)('target %s runs as the non-root node user', (target) => {
    const user = effectiveInstruction(dockerfile, stage(target), 'USER');
    expect(user).toBe('node');
  });

  test.each(RUNTIME_TARGETS)(
    'target %s starts node itself (PID 1 gets SIGTERM) with tsx on src/main.ts',
    (target) => {
      expect(JSON.parse(effectiveInstruction(dockerfile, stage(target), 'CMD') ?? 'null')).toEqual([
        'node',
        ...serviceNodeFlags(target),
        '--import',
        'tsx',
        'src/main.ts',
      ]);
      expect(effectiveInstruction(dockerfile, stage(target), 'ENTRYPOINT')).toBeUndefined();
    },
  );

  test('runtime dependencies: production only, plus the tsx version package-lock.json pins', () => {
    const run = stage('prod-deps')
      .instructions.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(run).toContain('npm ci --omit=dev --workspace "@lfsync/${SERVICE}"');
    expect(run).toContain("packages['node_modules/tsx'].version");
    expect(run).toContain('npm install --no-save --omit=dev');
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(lock.packages['node_modules/tsx']?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('the gateway image carries the built web app at the STATIC_DIR the deployments set', () => {
    const copies = stage('gateway')
      .instructions.filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    expect(copies).toContain('--from=web /app/clients/web/dist /app/clients/web/dist');
    expect(
      stage('web')
        .instructions.map((i) => i.args)
        .join('\n'),
    ).toContain('npm run build --workspace clients/web');
  });

  test.each(SERVICE_NAMES)('every file the %s image copies from the build context exists', (service) => {
    const stages = ['service', ...(service === 'gateway' ? ['gateway'] : [])].map(stage);
    const sources = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .map((p) => p.replaceAll('${SERVICE}', service));
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((p) => !repoFileExists(p))).toEqual([]);
  });

  test('.dockerignore keeps host dependencies, git and secrets out, and the tests workspace manifest in', () => {
    const lines = readRepoFile('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual(
      expect.arrayContaining([
        '**/node_modules',
        '.git',
        '**/.env',
        '**/dist',
        'tests/*',
        '!tests/package.json',
      ]),
    );
  });
});
