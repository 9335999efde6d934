import { z } from 'zod';
import { MAX_REPOSITORY_NAME_LENGTH, REPOSITORY_NAME_PATTERN } from './repository.ts';

/**
 * Which repositories a subscription or a token claim names: an exact name (`counter_log`), every
 * repository (`*`), or every name that starts with a prefix (`doc:*`, `team/42/*`). The one matcher used
 * by the WebSocket, REST, the broadcast and subscriptions.
 */
export type RepositoryPattern =
  | { readonly kind: 'all' }
  | { readonly kind: 'exact'; readonly name: string }
  | { readonly kind: 'prefix'; readonly prefix: string };

const STAR = 42; // '*'
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_:/-]*$/;

/** Why `text` is not a pattern, or undefined when it is one. */
export function patternProblem(text: string): string | undefined {
  if (text === '*') return undefined;
  if (text.length === 0) return 'pattern is empty';
  if (text.length > MAX_REPOSITORY_NAME_LENGTH) return `pattern is longer than ${MAX_REPOSITORY_NAME_LENGTH}`;
  const star = text.indexOf('*');
  if (star >= 0 && star !== text.length - 1) return '"*" may only end a pattern';
  const body = star < 0 ? text : text.slice(0, -1);
  if (!(star < 0 ? REPOSITORY_NAME_PATTERN : PREFIX_PATTERN).test(body))
    return 'pattern must be "*", a repository name, or a name prefix followed by "*" ([A-Za-z0-9][A-Za-z0-9_:/-]*)';
  return undefined;
}

/** A subscription's `repository`: an exact name or a pattern. */
export const repositoryPatternSchema = z.string().superRefine((text, ctx) => {
  const problem = patternProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** The structure of a valid pattern (check it with `patternProblem` or the schema first). */
export function parsePattern(text: string): RepositoryPattern {
  if (text === '*') return { kind: 'all' };
  if (text.charCodeAt(text.length - 1) === STAR) return { kind: 'prefix', prefix: text.slice(0, -1) };
  return { kind: 'exact', name: text };
}

export function isExactName(text: string): boolean {
  return text.indexOf('*') < 0;
}

/** Whether the repository `name` is one of those `pattern` names. Allocates nothing: runs per delivery. */
export function patternMatches(pattern: string, name: string): boolean {
  const last = pattern.length - 1;
  if (pattern.charCodeAt(last) !== STAR) return pattern === name;
  if (name.length < last) return false;
  for (let i = 0; i < last; i++) if (pattern.charCodeAt(i) !== name.charCodeAt(i)) return false;
  return true;
}

/** Whether every repository `inner` names is also named by `outer` (`doc:*` covers `doc:1` and `doc:a*`). */
export function patternCovers(outer: string, inner: string): boolean {
  const outerPattern = parsePattern(outer);
  const innerPattern = parsePattern(inner);
  switch (outerPattern.kind) {
    case 'all':
      return true;
    case 'exact':
      return innerPattern.kind === 'exact' && innerPattern.name === outerPattern.name;
    case 'prefix':
      if (innerPattern.kind === 'all') return false;
      return (innerPattern.kind === 'exact' ? innerPattern.name : innerPattern.prefix).startsWith(
        outerPattern.prefix,
      );
  }
}
