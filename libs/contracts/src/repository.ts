import { z } from 'zod';

export const MAX_REPOSITORY_NAME_LENGTH = 64;

/**
 * Repository names become NATS subject tokens and MongoDB field values, so they are restricted to a
 * safe alphabet: letters, digits, `_` and `-`; starting with a letter or digit (no leading `_`, no `$`,
 * no `.`, so never `system.*`).
 */
export const repositoryNameSchema = z
  .string()
  .min(1, 'repository name is empty')
  .max(MAX_REPOSITORY_NAME_LENGTH, `repository name is longer than ${MAX_REPOSITORY_NAME_LENGTH}`)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'repository name must match [A-Za-z0-9][A-Za-z0-9_-]*');
export type RepositoryName = z.infer<typeof repositoryNameSchema>;

export function isRepositoryName(value: unknown): value is RepositoryName {
  return repositoryNameSchema.safeParse(value).success;
}
