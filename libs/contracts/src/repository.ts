import { z } from 'zod';

export const MAX_REPOSITORY_NAME_LENGTH = 64;

/** The characters of a repository name after its first (which is a letter or digit). */
export const REPOSITORY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_:/-]*$/;

/**
 * Repository names become NATS subject tokens and MongoDB field values, so they are restricted to a
 * safe alphabet: letters, digits, `_`, `-`, `:` and `/` (for names such as `doc:42` or `team/7/notes`);
 * starting with a letter or digit (no leading `_`, no `$`, no `.`, so never `system.*`). `*` never
 * appears in a name: it marks a pattern (see repository-pattern.ts).
 */
export const repositoryNameSchema = z
  .string()
  .min(1, 'repository name is empty')
  .max(MAX_REPOSITORY_NAME_LENGTH, `repository name is longer than ${MAX_REPOSITORY_NAME_LENGTH}`)
  .regex(REPOSITORY_NAME_PATTERN, 'repository name must match [A-Za-z0-9][A-Za-z0-9_:/-]*');
export type RepositoryName = z.infer<typeof repositoryNameSchema>;

export function isRepositoryName(value: unknown): value is RepositoryName {
  // The schema's checks by hand: called per commit broadcast, where zod's result object is a cost.
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_REPOSITORY_NAME_LENGTH &&
    REPOSITORY_NAME_PATTERN.test(value)
  );
}
