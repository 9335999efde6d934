import { UsageError } from './usage-error.ts';

const DRAIN_TIMEOUT_MS = 15_000;

/** POSTs /drain on a gateway's ops port and returns its answer (the sessions it closed). */
export async function drainGateway(opsUrl: URL): Promise<string> {
  const url = new URL('/drain', opsUrl);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(DRAIN_TIMEOUT_MS) });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new UsageError(`cannot reach the gateway ops port at ${url.origin}: ${cause}`);
  }
  const body = await response.text();
  if (!response.ok) {
    const hint = response.status === 404 ? ' (is this the ops port, OPS_PORT, of a gateway?)' : '';
    throw new UsageError(`drain failed: HTTP ${response.status}${hint} ${body}`.trim());
  }
  return body;
}
