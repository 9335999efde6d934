import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isRecord, parseYaml, readRepoFile } from './repo-files.ts';

const COMPOSE_FILE = 'docker-compose.yml';

/** The parts of the Compose model these checks read; only trusted after schema validation. */
export interface ComposeService {
  image?: string;
  build?:
    string | { context?: string; target?: string; args?: Record<string, string | number | null> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  ports?: Array<string | number | { published?: string | number; host_ip?: string; target?: number }>;
  expose?: Array<string | number>;
  restart?: string;
  read_only?: boolean;
  tmpfs?: string | string[];
  user?: string;
  stop_grace_period?: string;
  stop_signal?: string;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  configs?: Array<string | { source?: string; target?: string }>;
  /** Services with a profile start only when it is named (`--profile monitoring`). */
  profiles?: string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string }>;
}

export function loadComposeDocument(): unknown {
  return parseYaml(readRepoFile(COMPOSE_FILE), COMPOSE_FILE);
}

/**
 * The Compose Specification JSON schema as the dclint package ships it (a copy of
 * compose-spec/compose-spec's schema/compose-spec.json); its `exports` do not list the file, so it
 * is read from the package directory.
 */
function loadComposeSpecSchema(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const path = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
  const schema: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(schema)) throw new Error(`${path}: not a JSON schema object`);
  // The draft-07 meta-schema is ajv's default; the file names it by an https URI ajv does not know.
  const rest = { ...schema };
  delete rest['$schema'];
  return rest;
}

let validator: ((doc: unknown) => string[]) | undefined;

/** Compose Specification violations of `doc`, as `path: message` lines. */
export function composeSchemaErrors(doc: unknown): string[] {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(loadComposeSpecSchema());
    validator = (d) =>
      validate(d)
        ? []
        : (validate.errors ?? []).map(
            (e: ErrorObject) =>
              `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
          );
  }
  return validator(doc);
}

/** `environment` as a map; list entries `NAME=value`; `null` (take it from the host) stays null. */
export function serviceEnvironment(service: ComposeService): Record<string, string | null> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, null] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
}

export function dependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([name, d]) => [name, d.condition ?? 'service_started']),
  );
}

export function buildSpec(
  service: ComposeService,
): { target?: string; args: Record<string, string> } | undefined {
  const build = service.build;
  if (build === undefined) return undefined;
  if (typeof build === 'string') return { args: {} };
  const rawArgs = build.args ?? {};
  const args = Array.isArray(rawArgs)
    ? Object.fromEntries(rawArgs.map((a) => [a.split('=')[0] ?? a, a.split('=').slice(1).join('=')]))
    : Object.fromEntries(Object.entries(rawArgs).map(([k, v]) => [k, String(v)]));
  return build.target === undefined ? { args } : { target: build.target, args };
}

/** Parses Compose durations such as `25s`, `1m30s`, `500ms`. */
export function durationMs(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  let total = 0;
  const rest = value.replace(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g, (_all, n: string, unit: string) => {
    total += Number(n) * (units[unit] ?? Number.NaN);
    return '';
  });
  if (rest !== '' || Number.isNaN(total)) throw new Error(`not a duration: ${value}`);
  return total;
}
