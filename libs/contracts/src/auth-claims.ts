import { z } from 'zod';
import { patternCovers, patternMatches, patternProblem } from './repository-pattern.ts';

/**
 * What a token may do, carried in the JWT claim `sync`: repository patterns — exact names, `*`, or a
 * prefix ending in `*` — in which `{sub}` stands for the token's subject (`user/{sub}/*`). Token issuers
 * (the app's backend) put this in the tokens they mint.
 */
export const syncClaimSchema = z.object({
  read: z.array(z.string()).default([]),
  write: z.array(z.string()).default([]),
});
export type SyncClaim = z.infer<typeof syncClaimSchema>;

export const SYNC_CLAIM = 'sync';

/**
 * Roles of the token's holder, in the JWT claim `roles`. `admin` opens the gateway's admin dashboard (on
 * its ops port); the sync claim alone never does.
 */
export const rolesClaimSchema = z.array(z.string().min(1).max(64)).max(32).default([]);

export const ROLES_CLAIM = 'roles';
export const ADMIN_ROLE = 'admin';

/** The placeholder for the token's subject inside a claim pattern. */
export const SUBJECT_PLACEHOLDER = '{sub}';

export type ResolvedClaim = { ok: true; claim: SyncClaim } | { ok: false; message: string };

/**
 * The claim with `{sub}` replaced by `subject` and every pattern checked: a token whose claim holds an
 * invalid pattern (or a subject that cannot stand in a repository name) is refused when verified.
 */
export function resolveClaim(claim: SyncClaim, subject: string): ResolvedClaim {
  const resolved: SyncClaim = { read: [], write: [] };
  for (const access of ['read', 'write'] as const) {
    for (const raw of claim[access]) {
      const pattern = raw.replaceAll(SUBJECT_PLACEHOLDER, subject);
      const problem = patternProblem(pattern);
      if (problem !== undefined) {
        const withSubject = pattern === raw ? '' : ` (with the subject "${subject.slice(0, 64)}")`;
        return {
          ok: false,
          message: `${SYNC_CLAIM}.${access} entry "${raw.slice(0, 80)}"${withSubject}: ${problem}`,
        };
      }
      resolved[access].push(pattern);
    }
  }
  return { ok: true, claim: resolved };
}

/** Whether a (resolved) claim grants the repository `repository`. */
export function claimAllows(patterns: readonly string[], repository: string): boolean {
  for (const pattern of patterns) if (patternMatches(pattern, repository)) return true;
  return false;
}

/** Whether a (resolved) claim grants every repository the pattern `requested` names. */
export function claimCovers(patterns: readonly string[], requested: string): boolean {
  return patterns.some((pattern) => patternCovers(pattern, requested));
}
