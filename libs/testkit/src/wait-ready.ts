/**
 * Polls `<httpUrl>/readyz` until it answers 200. `exited` lets the caller fail fast when the process
 * under test died instead of waiting out the deadline.
 */
export async function waitUntilReady(
  httpUrl: string,
  options: { timeoutMs?: number; intervalMs?: number; exited?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const died = options.exited?.();
    if (died !== undefined) throw new Error(died);
    const ready = await fetch(`${httpUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
  throw new Error(`${httpUrl} did not become ready`);
}
