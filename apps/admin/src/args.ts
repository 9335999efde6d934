import { parseArgs } from 'node:util';
import { repositoryNameSchema, rolesClaimSchema } from '@lfsync/contracts';
import { UsageError } from './usage-error.ts';

export type AdminCommand =
  | { kind: 'help' }
  | {
      kind: 'mint';
      subject: string;
      read: string[];
      write: string[];
      roles: string[];
      expiresInSec: number;
    }
  | { kind: 'inspect'; repository: string; last: number }
  | { kind: 'verify'; repository: string }
  | { kind: 'drain'; opsUrl: URL };

const DEFAULT_EXPIRES_IN_SEC = 3600;
const DEFAULT_LAST = 10;
const MAX_LAST = 1000;

/** The command line (without `node` and the script) as one command; a UsageError names what is wrong. */
export function parseCommand(argv: readonly string[]): AdminCommand {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help' };
    case 'mint':
      return parseMint(rest);
    case 'inspect':
      return parseInspect(rest);
    case 'verify':
      return { kind: 'verify', repository: onlyRepository(strict(rest, {}).positionals) };
    case 'drain':
      return parseDrain(rest);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

type Parsed = {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
};

function strict(args: string[], options: Options): Parsed {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function parseMint(args: string[]): AdminCommand {
  const { values, positionals } = strict(args, {
    subject: { type: 'string' },
    read: { type: 'string', multiple: true },
    write: { type: 'string', multiple: true },
    role: { type: 'string', multiple: true },
    'expires-in': { type: 'string' },
  });
  if (positionals.length > 0)
    throw new UsageError(`mint takes no argument ${JSON.stringify(positionals[0])}`);
  const subject = typeof values.subject === 'string' ? values.subject.trim() : '';
  if (subject === '') throw new UsageError('mint needs --subject');
  return {
    kind: 'mint',
    subject,
    read: stringList(values.read),
    write: stringList(values.write),
    roles: roles(values.role),
    expiresInSec: positiveInteger(
      values['expires-in'],
      '--expires-in',
      DEFAULT_EXPIRES_IN_SEC,
      10 * 365 * 86400,
    ),
  };
}

function parseInspect(args: string[]): AdminCommand {
  const { values, positionals } = strict(args, { last: { type: 'string' } });
  const last = positiveInteger(values.last, '--last', DEFAULT_LAST, MAX_LAST);
  return { kind: 'inspect', repository: onlyRepository(positionals), last };
}

function parseDrain(args: string[]): AdminCommand {
  const { values, positionals } = strict(args, { 'ops-url': { type: 'string' } });
  if (positionals.length > 0)
    throw new UsageError(`drain takes no argument ${JSON.stringify(positionals[0])}`);
  const raw = values['ops-url'];
  if (typeof raw !== 'string')
    throw new UsageError('drain needs --ops-url (the gateway ops port, e.g. http://gateway:9090)');
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--ops-url must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return { kind: 'drain', opsUrl: url };
}

/** Roles as the gateway reads them (`roles` claim): short names, e.g. `admin` for the admin dashboard. */
function roles(value: unknown): string[] {
  const parsed = rolesClaimSchema.safeParse(stringList(value));
  if (!parsed.success) throw new UsageError('--role takes names of 1–64 characters, at most 32 of them');
  return [...new Set(parsed.data)];
}

function onlyRepository(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError('give exactly one repository name');
  const parsed = repositoryNameSchema.safeParse(positionals[0]);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? 'bad repository name');
  return parsed.data;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function positiveInteger(value: unknown, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}
