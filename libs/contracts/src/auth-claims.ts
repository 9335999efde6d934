import { z } from 'zod';

/**
 * What a token may do, carried in the JWT claim `sync`: repository names, or `*` for every repository.
 * Token issuers (the app's backend) put this in the tokens they mint.
 */
export const syncClaimSchema = z.object({
  read: z.array(z.string()).default([]),
  write: z.array(z.string()).default([]),
});
export type SyncClaim = z.infer<typeof syncClaimSchema>;

export const SYNC_CLAIM = 'sync';

export function claimAllows(patterns: readonly string[], repository: string): boolean {
  return patterns.some((p) => p === '*' || p === repository);
}
