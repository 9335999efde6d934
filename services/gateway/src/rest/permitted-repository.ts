import { AppError, claimAllows, isRepositoryName } from '@lfsync/contracts';
import type { RouteRequest } from './route-table.ts';

/** The route's repository, once the caller is authenticated and its claim grants `access` to it. */
export async function permittedRepository(request: RouteRequest, access: 'read' | 'write'): Promise<string> {
  const principal = await request.authenticate();
  const repository = request.params['repository'] ?? '';
  if (!isRepositoryName(repository)) throw new AppError('INVALID_REPOSITORY', 'invalid repository name');
  if (claimAllows(principal.claim[access], repository)) return repository;
  // Without a token, a token is what is missing; with one, the right to this repository.
  if (principal.anonymous === true)
    throw new AppError('NOT_AUTHENTICATED', `${repository} needs an Authorization: Bearer token`);
  throw new AppError('FORBIDDEN', `no ${access} access to ${repository}`);
}
