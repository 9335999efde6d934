/** MongoDB refused the credentials (AuthenticationFailed) or the user lacks a role (Unauthorized). */
export function isMongoAuthError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, codeName, cause } = err as { code?: unknown; codeName?: unknown; cause?: unknown };
  if (code === 18 || code === 13 || codeName === 'AuthenticationFailed' || codeName === 'Unauthorized') {
    return true;
  }
  // Server selection wraps the handshake's failure.
  return cause !== undefined && cause !== err && isMongoAuthError(cause);
}
